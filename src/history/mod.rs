//! The history of runs: takes each successful run's accepted, tidy data and
//! keeps it as Parquet files in a folder partitioned by oblast and period
//! (`history/oblast=RSE/period=2017Q2/services.parquet`, the layout DuckDB,
//! Spark and pandas read as it is), and gives back the stored periods of an
//! oblast for comparisons, a listing, and the removal of a period.
//!
//! A run replaces its periods atomically: the new tables are written to a
//! staging folder inside the history folder, and only once they are all
//! complete (and the report is written) is each period swapped in — the
//! previous copy moved aside, the new one moved in, the old one removed.
//! Nothing else is touched. A failure before the swap leaves the history as
//! it was; one during it puts the previous copies back; a crash in the middle
//! of a swap is undone the next time the history is opened.

pub mod columns;
pub mod tables;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use polars::prelude::{ArrowField, ArrowSchema, CompatLevel, DataFrame, PolarsError, PolarsResult};
use polars_io::prelude::{ParquetReader, SerReader};
use polars_parquet::read::ParquetError;
use polars_parquet::write::{
    CompressionOptions, Compressor, DynIter, DynStreamingIterator, Encoding, FallibleStreamingIterator, FileWriter,
    StatisticsOptions, Version, WriteOptions, array_to_columns,
};
use rayon::prelude::*;

pub use tables::{PeriodMeta, StoredPeriod, StoredPlanStatus, StoredService};

use crate::error::{Error, Result};
use crate::paths::REMOVED_PREFIX;
use crate::period::Period;
use crate::staged::{self, StagedDir};

/// The tables of a stored period, in the order they are written.
pub const TABLES: &[&str] = &[
    "run",
    "services",
    "municipal_cards",
    "dsp",
    "by_municipality",
    "by_service_type",
    "issue_counts",
    "visits",
    "visit_findings",
];

/// The tables of one oblast's period, ready to be stored.
pub struct Partition {
    pub oblast: String,
    pub period: Period,
    pub tables: Vec<(&'static str, DataFrame)>,
}

/// What `socmon history` lists for one stored period.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub meta: PeriodMeta,
    /// Parquet files in the period's folder.
    pub files: usize,
    /// Rows stored: services, municipal cards and DSP rows.
    pub records: usize,
    pub path: PathBuf,
}

/// A history folder.
#[derive(Debug, Clone)]
pub struct History {
    dir: PathBuf,
}

fn oblast_dir_name(oblast: &str) -> String {
    format!("oblast={oblast}")
}

fn period_dir_name(period: &Period) -> String {
    format!("period={}", period.name())
}

/// The value of a `key=value` folder name.
fn partition_value<'a>(name: &'a str, key: &str) -> Option<&'a str> {
    name.strip_prefix(key)?.strip_prefix('=')
}

fn history_error(path: &Path, message: String) -> Error {
    Error::history(path, message)
}

fn subfolders(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    staged::subfolders(dir, history_error)
}

fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| Error::history(path, e))?;
    ParquetReader::new(file).finish().map_err(|e| {
        Error::history(
            path,
            format!("not a readable Parquet file ({e}); remove the period with `socmon history --remove`"),
        )
    })
}

/// Errors: [`Error::Output`] ("cannot write …"), as for every file a run writes.
fn write_parquet(path: &Path, frame: &mut DataFrame) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::output(path, e))?;
    // The Parquet writer writes the footer and page headers a few bytes at a
    // time: unbuffered, that was 650,000 write calls for a national run.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, file);
    encode(frame, &mut buffered).map_err(|e| Error::output(path, e))?;
    let file = buffered.into_inner().map_err(|e| Error::output(path, e.into_error()))?;
    file.sync_all().map_err(|e| Error::output(path, e))
}

/// How every stored table is encoded: what costs least per column in
/// polars' writer, which is built unoptimised (Cargo.toml) and whose cost
/// is per column, not per row — a national run writes 336 small files of
/// 4 to 37 columns (BENCHMARKS.md, "Issue 14"). Each choice leaves the data
/// read back the same:
/// - plain encoding: no dictionary tried per column (polars' own writer
///   builds each column's dictionary, then often drops it);
/// - no statistics: nothing reads the history by filtering on them (each
///   table is read whole), and they were over a quarter of each file;
/// - Snappy: the cheapest codec per page to write and to read;
/// - no Arrow schema in the footer: the Parquet types say the same (text,
///   Int64, Float64, Boolean) and every reader reads them so.
///
/// One thread, one row group: the same frame gives the same bytes.
fn encode(frame: &mut DataFrame, out: impl std::io::Write) -> PolarsResult<()> {
    frame.rechunk_mut();
    // The Arrow schema and arrays from the columns themselves, once: polars'
    // own path builds the frame's schema three times over (a fifth of the
    // encoding unoptimised).
    let compat = CompatLevel::newest();
    let fields: Vec<ArrowField> = frame
        .columns()
        .iter()
        .map(|c| c.dtype().to_arrow_field(c.name().clone(), compat))
        .collect();
    let schema: ArrowSchema = fields.iter().map(|f| (f.name.clone(), f.clone())).collect();
    let options = WriteOptions {
        statistics: StatisticsOptions::empty(),
        compression: CompressionOptions::Snappy,
        version: Version::V1,
        data_page_size: None,
    };
    let mut writer = FileWriter::try_new(out, schema, options)?;
    // One row group of the frame's one chunk; none for a frame without rows.
    let rows = frame.height();
    if rows > 0 && !fields.is_empty() {
        let types = writer.parquet_schema().fields().to_vec();
        let mut columns = Vec::with_capacity(types.len());
        for ((column, field), parquet_type) in frame.columns().iter().zip(&fields).zip(types) {
            let array = column
                .as_materialized_series()
                .to_arrow_with_field(0, Cow::Borrowed(field), true)?;
            for pages in array_to_columns(&array, parquet_type.clone(), options, &[Encoding::Plain])? {
                let pages = pages.map(|page| page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string())));
                let compressed = Compressor::new_from_vec(pages, options.compression, Vec::new());
                columns.push(Ok(DynStreamingIterator::new(compressed.map_err(PolarsError::from))));
            }
        }
        writer.write(rows as u64, DynIter::new(columns.into_iter()))?;
    }
    writer.end(Some(Vec::new()))?;
    Ok(())
}

fn remove(path: &Path) -> Result<()> {
    staged::remove_dir(path, history_error)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    staged::rename(from, to, history_error)
}

impl History {
    /// The history in `dir` (which need not exist yet). A swap that a crash
    /// cut short is undone first: a period moved aside and never replaced is
    /// put back, and staging left behind is removed.
    ///
    /// Errors: [`Error::History`] when leftovers cannot be cleared.
    pub fn open(dir: &Path) -> Result<History> {
        let history = History { dir: dir.to_path_buf() };
        history.recover()?;
        Ok(history)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder of one oblast's period.
    pub fn period_dir(&self, oblast: &str, period: &Period) -> PathBuf {
        self.dir.join(oblast_dir_name(oblast)).join(period_dir_name(period))
    }

    fn recover(&self) -> Result<()> {
        // The swapped entries are `oblast=…/period=…`: two folders deep.
        staged::recover(&self.dir, 2, history_error)
    }

    /// Every stored period of every oblast, by oblast then period.
    ///
    /// Errors: [`Error::History`] when a stored period cannot be read.
    pub fn list(&self) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for (oblast_name, oblast_path) in subfolders(&self.dir)? {
            if partition_value(&oblast_name, "oblast").is_none() {
                continue;
            }
            for (period_name, path) in subfolders(&oblast_path)? {
                if partition_value(&period_name, "period").is_none() {
                    continue;
                }
                let meta = tables::meta_from(&read_parquet(&path.join("run.parquet"))?)
                    .map_err(|e| Error::history(&path, e))?;
                let mut files = 0;
                let mut records = 0;
                for (stem, counted) in TABLES
                    .iter()
                    .map(|t| (*t, matches!(*t, "services" | "municipal_cards" | "dsp")))
                {
                    let file = path.join(format!("{stem}.parquet"));
                    if file.is_file() {
                        files += 1;
                        if counted {
                            records += read_parquet(&file)?.height();
                        }
                    }
                }
                entries.push(Entry {
                    meta,
                    files,
                    records,
                    path,
                });
            }
        }
        entries.sort_by(|a, b| {
            (&a.meta.oblast_code, a.meta.period.start, a.meta.period.end).cmp(&(
                &b.meta.oblast_code,
                b.meta.period.start,
                b.meta.period.end,
            ))
        });
        Ok(entries)
    }

    /// The stored periods of an oblast with their folders and metadata, but
    /// `except`: the period a run is about to store anew. Its folder (named
    /// after it) is passed over without reading even its `run.parquet`: the
    /// run replaces that folder whole.
    ///
    /// Errors: [`Error::History`] when a stored period cannot be read.
    fn periods(&self, oblast: &str, except: Option<&Period>) -> Result<Vec<(PathBuf, PeriodMeta)>> {
        let except_folder = except.map(period_dir_name);
        let mut periods = Vec::new();
        for (period_name, path) in subfolders(&self.dir.join(oblast_dir_name(oblast)))? {
            if partition_value(&period_name, "period").is_none() || except_folder.as_deref() == Some(&period_name) {
                continue;
            }
            let meta =
                tables::meta_from(&read_parquet(&path.join("run.parquet"))?).map_err(|e| Error::history(&path, e))?;
            if except == Some(&meta.period) {
                continue;
            }
            periods.push((path, meta));
        }
        Ok(periods)
    }

    /// The stored periods of an oblast, oldest first, but `except`: the
    /// period a run is about to store anew is neither compared with nor
    /// followed, so its tables are not read (a quarter run again after
    /// corrections held the whole earlier run in memory for nothing).
    ///
    /// Errors: [`Error::History`] when a stored period cannot be read.
    pub fn load(&self, oblast: &str, except: Option<&Period>) -> Result<Vec<StoredPeriod>> {
        let mut periods = Vec::new();
        for (path, meta) in self.periods(oblast, except)? {
            let table = |stem: &str| read_parquet(&path.join(format!("{stem}.parquet")));
            let services = tables::services_from(&table("services")?).map_err(|e| Error::history(&path, e))?;
            let municipalities =
                tables::figures_from(&table("by_municipality")?).map_err(|e| Error::history(&path, e))?;
            // A period stored before socmon kept the calendar has no timeliness table.
            let timeliness_file = path.join("timeliness.parquet");
            let timeliness = if timeliness_file.is_file() {
                tables::timeliness_from(&read_parquet(&timeliness_file)?).map_err(|e| Error::history(&path, e))?
            } else {
                Vec::new()
            };
            // Kept only with a plan, and only since the history keeps them.
            let plan_file = path.join("plan_status.parquet");
            let plan_statuses = if plan_file.exists() {
                tables::plan_statuses_from(&read_parquet(&plan_file)?).map_err(|e| Error::history(&path, e))?
            } else {
                Vec::new()
            };
            periods.push(StoredPeriod {
                meta,
                services,
                municipalities,
                timeliness,
                plan_statuses,
            });
        }
        periods.sort_by_key(|p| (p.meta.period.start, p.meta.period.end));
        Ok(periods)
    }

    /// Some tables of the stored periods of an oblast that `wanted` takes,
    /// oldest first, never of `except` (the period a run stores anew): per
    /// period, each of `stems` in turn, `None` for a period stored before
    /// that table existed or without rows for it. The tables of a period
    /// not wanted are not read.
    ///
    /// Errors: [`Error::History`] when a stored period cannot be read.
    pub fn load_tables(
        &self,
        oblast: &str,
        stems: &[&str],
        except: Option<&Period>,
        wanted: impl Fn(&Period) -> bool,
    ) -> Result<Vec<(Period, Vec<Option<DataFrame>>)>> {
        let mut out = Vec::new();
        for (path, meta) in self.periods(oblast, except)? {
            if !wanted(&meta.period) {
                continue;
            }
            let mut tables = Vec::with_capacity(stems.len());
            for stem in stems {
                let file = path.join(format!("{stem}.parquet"));
                tables.push(if file.is_file() {
                    Some(read_parquet(&file)?)
                } else {
                    None
                });
            }
            out.push((meta.period, tables));
        }
        out.sort_by_key(|(p, _)| (p.start, p.end));
        Ok(out)
    }

    /// Removes one stored period; false when it was not stored.
    ///
    /// Errors: [`Error::History`] when it cannot be removed.
    pub fn remove(&self, oblast: &str, period: &Period) -> Result<bool> {
        let live = self.period_dir(oblast, period);
        if !live.is_dir() {
            return Ok(false);
        }
        // Out of sight first (one rename), then deleted.
        let gone = self.dir.join(format!("{REMOVED_PREFIX}{}", std::process::id()));
        remove(&gone)?;
        rename(&live, &gone)?;
        remove(&gone)?;
        if let Some(parent) = live.parent()
            && subfolders(parent)?.is_empty()
        {
            let _ = std::fs::remove_dir(parent);
        }
        Ok(true)
    }

    /// Writes the partitions to a staging folder; nothing stored changes
    /// until [`StagedDir::commit`]. Dropping the result discards the staging.
    ///
    /// Errors: [`Error::Output`] when a file cannot be written.
    pub fn stage(&self, partitions: Vec<Partition>) -> Result<StagedDir> {
        self.stage_each(partitions, Ok)
    }

    /// Like [`History::stage`], each partition made by `make` just before
    /// it is written and dropped after: a national run holds the frames of
    /// one oblast per thread, not of all 28 at once.
    ///
    /// Errors: what `make` gives, and [`Error::Output`] when a file cannot be written.
    pub fn stage_each<T: Send>(
        &self,
        items: Vec<T>,
        make: impl Fn(T) -> Result<Partition> + Sync,
    ) -> Result<StagedDir> {
        let mut staged = StagedDir::begin(&self.dir, history_error)?;
        let staging = staged.path().to_path_buf();
        // Each partition is made, compressed and written on its own: in parallel.
        let periods = items
            .into_par_iter()
            .map(|item| {
                let mut partition = make(item)?;
                let relative =
                    PathBuf::from(oblast_dir_name(&partition.oblast)).join(period_dir_name(&partition.period));
                let folder = staging.join(&relative);
                std::fs::create_dir_all(&folder).map_err(|e| Error::output(&folder, e))?;
                for (stem, frame) in &mut partition.tables {
                    write_parquet(&folder.join(format!("{stem}.parquet")), frame)?;
                }
                Ok(relative)
            })
            .collect::<Result<Vec<_>>>()?;
        for relative in periods {
            staged.replace(relative);
        }
        Ok(staged)
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::{Column, DataFrame, DataType};

    use super::*;

    fn written_and_read(mut frame: DataFrame) -> DataFrame {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.parquet");
        write_parquet(&path, &mut frame).unwrap();
        read_parquet(&path).unwrap()
    }

    #[test]
    fn a_stored_table_reads_back_as_it_was_written() {
        let frame = DataFrame::new_infer_height(vec![
            Column::new("text".into(), ["Русе", "", "a;b"]),
            Column::new("maybe_text".into(), [Some("2017-06-30"), None, Some("")]),
            Column::new("never_text".into(), [None::<&str>, None, None]),
            Column::new("whole".into(), [Some(1i64), None, Some(-7)]),
            Column::new("decimal".into(), [Some(0.1f64), Some(-2.5e9), None]),
            Column::new("yes_no".into(), [Some(true), Some(false), None]),
        ])
        .unwrap();
        let read = written_and_read(frame.clone());
        assert_eq!(read.schema(), frame.schema(), "the same names and types");
        assert!(read.equals_missing(&frame), "{read}");
        assert_eq!(read.column("never_text").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn an_empty_table_reads_back_empty_with_its_columns() {
        let frame = DataFrame::new_infer_height(vec![
            Column::new("code".into(), Vec::<String>::new()),
            Column::new("count".into(), Vec::<Option<i64>>::new()),
        ])
        .unwrap();
        let read = written_and_read(frame.clone());
        assert_eq!(read.height(), 0);
        assert_eq!(read.schema(), frame.schema());
    }

    #[test]
    fn a_table_of_many_rows_reads_back_whole() {
        // More than one data page (1 MiB) of text.
        let rows: Vec<String> = (0..40_000)
            .map(|i| format!("услуга {i:>8} {}", "x".repeat(i % 50)))
            .collect();
        let frame = DataFrame::new_infer_height(vec![
            Column::new("name".into(), rows),
            Column::new("n".into(), (0..40_000i64).collect::<Vec<_>>()),
        ])
        .unwrap();
        let read = written_and_read(frame.clone());
        assert!(read.equals_missing(&frame));
    }
}

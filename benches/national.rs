//! The national benchmark: generates the national set of returns (265
//! municipalities, every oblast) at several scales with `socmon sample`,
//! then measures, on the same files and in the same run:
//!
//! - the floor: what any calamine-based pipeline must spend — open every
//!   file with `open_workbook_auto` and read every sheet into a range, files
//!   in parallel on every core, nothing else;
//! - `socmon run --oblast all` end to end (read, validate, aggregate,
//!   compare with the history, write the workbook + CSV + feedback and the
//!   history), with its stage timings;
//! - `socmon run --oblast all --no-history`: the scope of issue 6's target
//!   (read, validate, aggregate, workbook + CSV + feedback), wall time only.
//!
//! Each is a child process, so its wall time and peak memory (max RSS from
//! `wait4`) are its own. Medians over `--runs` runs. The result is a
//! Markdown table for BENCHMARKS.md.
//!
//! Run: `cargo bench --bench national -- [--scales 1,5,10] [--runs 3] [--dir DIR]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;

/// What one child process cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    wall: Duration,
    peak_rss_kib: u64,
}

/// Runs a command to its end and gives its wall time and peak RSS.
// The child is reaped by wait4 (which gives its rusage), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn measure(command: &mut Command) -> (Cost, String) {
    let started = Instant::now();
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, status and usage are valid for writing.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert!(waited == pid && libc::WIFEXITED(status), "child failed: {stderr}");
    assert!(
        libc::WEXITSTATUS(status) <= 1,
        "child exited with {}: {stderr}",
        libc::WEXITSTATUS(status)
    );
    (
        Cost {
            wall,
            peak_rss_kib: usage.ru_maxrss as u64,
        },
        stderr,
    )
}

fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

/// Every file below a folder, hidden ones (`.complete`) left out.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                files.push(path);
            }
        }
    }
    files
}

/// The floor, in this (child) process: every file opened, every sheet read.
fn floor(dir: &Path) {
    let files: Vec<PathBuf> = files_below(dir)
        .into_iter()
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("xlsx" | "xls" | "ods")))
        .collect();
    let cells: usize = files
        .par_iter()
        .map(|path| {
            use calamine::Reader;
            let Ok(mut workbook) = calamine::open_workbook_auto(path) else {
                return 0;
            };
            let names = workbook.sheet_names();
            names
                .iter()
                .filter_map(|name| workbook.worksheet_range(name).ok())
                .map(|range| range.get_size().0 * range.get_size().1)
                .sum::<usize>()
        })
        .sum();
    eprintln!("floor: {} files, {cells} cells", files.len());
}

struct Args {
    scales: Vec<u32>,
    runs: usize,
    dir: PathBuf,
}

fn args() -> Args {
    let mut parsed = Args {
        scales: vec![1, 5, 10],
        runs: 3,
        dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--scales" => {
                parsed.scales = it
                    .next()
                    .expect("--scales 1,5,10")
                    .split(',')
                    .map(|s| s.parse().expect("a number"))
                    .collect()
            }
            "--runs" => parsed.runs = it.next().expect("--runs N").parse().expect("a number"),
            "--dir" => parsed.dir = PathBuf::from(it.next().expect("--dir DIR")),
            _ => {} // cargo bench passes --bench
        }
    }
    parsed
}

/// The national set at a scale, generated once and kept. `socmon sample`
/// writes it in a child process: a set generated in this process would
/// leave its memory in the peak RSS the children report (Linux carries the
/// parent's high-water mark into a child that execs from a vfork).
fn national_set(socmon: &Path, root: &Path, scale: u32) -> (PathBuf, usize, u64) {
    let dir = root.join(format!("national-x{scale}"));
    let stamp = dir.join(".complete");
    if !stamp.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        let status = Command::new(socmon)
            .args(["sample", "--all", "--seed", "2017", "--mistakes", "0.05", "--scale"])
            .arg(scale.to_string())
            .arg("--output")
            .arg(&dir)
            .status()
            .expect("socmon sample");
        assert!(status.success(), "socmon sample failed");
        std::fs::write(&stamp, b"").expect("stamp");
        eprintln!("generated x{scale} in {:.1} s", started.elapsed().as_secs_f64());
    }
    let files = files_below(&dir);
    let bytes = files
        .iter()
        .map(|path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
        .sum();
    (dir, files.len(), bytes)
}

/// Stage timings and the record count from `socmon run --timings`.
fn parse_timings(stderr: &str) -> (Vec<(String, f64)>, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("timings: "))
        .expect("timings line");
    let (stages, rest) = line
        .trim_start_matches("timings: ")
        .split_once("; records ")
        .expect("records");
    let records = rest.split(';').next().and_then(|r| r.trim().parse().ok()).unwrap_or(0);
    let stages = stages
        .split(", ")
        .filter_map(|s| {
            let mut parts = s.split_whitespace();
            Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
        })
        .collect();
    (stages, records)
}

fn main() {
    if let Some(dir) = std::env::args().skip_while(|a| a != "--floor-child").nth(1) {
        floor(Path::new(&dir));
        return;
    }
    let args = args();
    let socmon = PathBuf::from(env!("CARGO_BIN_EXE_socmon"));
    let me = std::env::current_exe().expect("current exe");
    let mut rates = Vec::new();
    println!(
        "| set | files | MiB | records | floor s | floor MiB | read s | validate s | aggregate s | compare s | write s | socmon s | socmon MiB | records/s | ratio to floor | without history s | its ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for &scale in &args.scales {
        let (dir, files, bytes) = national_set(&socmon, &args.dir, scale);
        let out = args.dir.join(format!("out-x{scale}"));
        let mut floors = Vec::new();
        let mut runs = Vec::new();
        // The scope of issue 6's target: read, validate, aggregate, workbook,
        // CSV and feedback, without comparing with or storing the history.
        let mut report_only = Vec::new();
        for _ in 0..args.runs {
            // Alternate, so that neither always finds a warm cache the other left.
            let (cost, _) = measure(Command::new(&me).arg("--floor-child").arg(&dir));
            floors.push(cost);
            let (cost, stderr) = measure(
                Command::new(&socmon)
                    .args(["run", "--oblast", "all", "--quiet", "--timings", "--input"])
                    .arg(&dir)
                    .arg("--output")
                    .arg(&out)
                    .arg("--history")
                    .arg(args.dir.join(format!("history-x{scale}"))),
            );
            runs.push((cost, parse_timings(&stderr)));
            let (cost, _) = measure(
                Command::new(&socmon)
                    .args(["run", "--oblast", "all", "--quiet", "--no-history", "--input"])
                    .arg(&dir)
                    .arg("--output")
                    .arg(args.dir.join(format!("out-x{scale}-no-history"))),
            );
            report_only.push(cost);
        }
        let report_only = median(report_only.iter().map(|c| c.wall.as_secs_f64()).collect());
        let floor_wall = median(floors.iter().map(|c| c.wall.as_secs_f64()).collect());
        let floor_rss = median(floors.iter().map(|c| c.peak_rss_kib).collect());
        let wall = median(runs.iter().map(|(c, _)| c.wall.as_secs_f64()).collect());
        let rss = median(runs.iter().map(|(c, _)| c.peak_rss_kib).collect());
        let records = runs[0].1.1;
        let stage = |name: &str| {
            median(
                runs.iter()
                    .map(|(_, (s, _))| s.iter().find(|(n, _)| n == name).map_or(0.0, |(_, t)| *t))
                    .collect(),
            )
        };
        println!(
            "| national ×{scale} | {files} | {:.1} | {records} | {floor_wall:.3} | {:.0} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {wall:.3} | {:.0} | {:.0} | {:.2} | {report_only:.3} | {:.2} |",
            bytes as f64 / 1_048_576.0,
            floor_rss as f64 / 1024.0,
            stage("read"),
            stage("validate"),
            stage("aggregate"),
            stage("compare"),
            stage("write"),
            rss as f64 / 1024.0,
            records as f64 / wall,
            wall / floor_wall,
            report_only / floor_wall,
        );
        let rate = |seconds: f64| records as f64 / seconds.max(1e-9);
        rates.push(format!(
            "| national ×{scale} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            rate(floor_wall),
            rate(stage("read")),
            rate(stage("validate")),
            rate(stage("aggregate")),
            rate(stage("compare")),
            rate(stage("write")),
            rate(wall),
        ));
    }
    println!();
    println!("Records per second, by stage:");
    println!();
    println!("| set | floor | read | validate | aggregate | compare | write | end to end |");
    println!("|---|---|---|---|---|---|---|---|");
    for row in rates {
        println!("{row}");
    }
}

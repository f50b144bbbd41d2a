//! The strategy templates' rules across rows and files, run with the other
//! checks across files: the plan's years and duplicate actions, two plan
//! files of one version, the indicators' codes, figure keys and scopes,
//! and the reports' indicator codes, values, difficulties and period.
//! Errors reject their records, as every other error does.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::indicators::{Scope, figure_key_valid, resolve_scope, valid_figure_keys};
use super::plan::{self, Action, strategy_years};
use super::{code_of, text_of};
use crate::issue::StrategyFinding;
use crate::issue::{Finding, Issue, Location, Severity};
use crate::normalize::key;
use crate::schema::fields::{indicators as indicators_fields, plan as plan_fields, report as report_fields};
use crate::schema::{Role, Template};
use crate::sheet::CellRef;
use crate::validate::{Context, Record, Value};

/// Where a field of a record is (its cell, else the record's first cell).
fn at(t: &Template, r: &Record, id: &str) -> CellRef {
    t.field_index(id).and_then(|i| r.cells[i]).unwrap_or(r.anchor)
}

fn issue(t: &Template, r: &Record, id: &str, severity: Severity, finding: StrategyFinding) -> Issue {
    let value = r.get(t, id).map(Value::display).unwrap_or_default();
    Issue::new(
        Location::cell(&r.file, &r.sheet, at(t, r, id)),
        severity,
        Finding::Strategy(finding),
    )
    .template(&t.id)
    .field(id)
    .value(value)
    .municipality(r.municipality.as_deref())
}

/// The oblast a strategy record belongs to: its own, else the run's one.
pub(crate) fn oblast_of<'a>(r: &'a Record, run_oblast: Option<&'a str>) -> Option<&'a str> {
    r.oblast.as_deref().or(run_oblast)
}

/// Checks the strategy records; adds the findings and counts each error
/// against its record.
pub fn check(ctx: &Context, records: &mut [Record]) -> Vec<Issue> {
    let schemas = ctx.schemas;
    let role = |r: &Record| schemas.templates[r.template].role;
    let mut issues = Vec::new();
    // Sheets of each strategy template, in report order.
    let mut sheets: BTreeMap<(Role, String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if role(r).is_strategy() {
            sheets
                .entry((role(r), r.file.clone(), r.sheet.clone()))
                .or_default()
                .push(i);
        }
    }
    if sheets.is_empty() {
        return issues;
    }
    let add = |records: &mut [Record], i: usize, issue: Issue, issues: &mut Vec<Issue>| {
        match issue.severity {
            Severity::Error => records[i].errors += 1,
            Severity::Warning => records[i].warnings += 1,
        }
        issues.push(issue);
    };

    // ---- the plan -----------------------------------------------------------
    // (oblast, version) → the files holding it, with their rows.
    let mut version_files: BTreeMap<(String, Option<chrono::NaiveDate>), BTreeMap<String, Vec<usize>>> =
        BTreeMap::new();
    for ((role, _, _), rows) in &sheets {
        if *role != Role::StrategyPlan {
            continue;
        }
        let first = &records[rows[0]];
        let t = &schemas.templates[first.template];
        let years_text = text_of(t, first, plan_fields::STRATEGY_PERIOD);
        let years = years_text.as_deref().and_then(strategy_years);
        let sheet_issue = match (&years_text, years) {
            (None, _) => Some(
                Issue::error(
                    Location::sheet(&first.file, &first.sheet),
                    if t.field_index(plan_fields::STRATEGY_PERIOD)
                        .and_then(|i| first.cells[i])
                        .is_some()
                    {
                        Finding::Required
                    } else {
                        Finding::LabelMissing
                    },
                )
                .template(&t.id)
                .field(plan_fields::STRATEGY_PERIOD),
            ),
            (Some(_), None) => Some(issue(
                t,
                first,
                plan_fields::STRATEGY_PERIOD,
                Severity::Error,
                StrategyFinding::StrategyYearsUnreadable,
            )),
            _ => None,
        };
        if let Some(found) = sheet_issue {
            // A plan without its years cannot be checked: its rows are rejected.
            issues.push(found.municipality(None));
            for &i in rows {
                records[i].errors += 1;
            }
        }
        for &i in rows {
            let r = &records[i];
            if let (Some((from, to)), Some(Value::Int(year))) = (years, r.get(t, plan_fields::YEAR))
                && (*year < i64::from(from) || *year > i64::from(to))
            {
                let found = issue(
                    t,
                    r,
                    plan_fields::YEAR,
                    Severity::Error,
                    StrategyFinding::YearOutside { from, to },
                );
                add(records, i, found, &mut issues);
            }
            let r = &records[i];
            if code_of(t, r, plan_fields::ACTION).as_deref() == Some(Action::Close.code())
                && r.get(t, plan_fields::CAPACITY).is_some()
            {
                let found = issue(
                    t,
                    r,
                    plan_fields::CAPACITY,
                    Severity::Warning,
                    StrategyFinding::CapacityOnClosure,
                );
                add(records, i, found, &mut issues);
            }
            let r = &records[i];
            if let Some(oblast) = oblast_of(r, ctx.oblast) {
                let version = r.get(t, plan_fields::UPDATED_ON).and_then(Value::as_date);
                version_files
                    .entry((oblast.to_string(), version))
                    .or_default()
                    .entry(r.file.clone())
                    .or_default()
                    .push(i);
            }
        }
    }
    for ((_, version), files) in &version_files {
        if files.len() > 1 {
            // Two files claim one version: neither can be trusted to be it.
            let names: Vec<&String> = files.keys().collect();
            for (file, rows) in files {
                let other = names
                    .iter()
                    .filter(|n| **n != file)
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let first = &records[rows[0]];
                let t = &schemas.templates[first.template];
                let found = issue(
                    t,
                    first,
                    plan_fields::UPDATED_ON,
                    Severity::Error,
                    StrategyFinding::SameVersion {
                        other_file: other,
                        version: plan::version_label(*version),
                    },
                )
                .municipality(None);
                issues.push(found);
                for &i in rows {
                    records[i].errors += 1;
                }
            }
            continue;
        }
        // The same action twice in one version: an error at both rows.
        let mut seen: HashMap<(String, String, String, String), usize> = HashMap::new();
        for &i in files.values().flatten() {
            let r = &records[i];
            let t = &schemas.templates[r.template];
            let (Some(m), Some(action), Some(kind)) = (
                r.municipality.clone(),
                code_of(t, r, plan_fields::ACTION),
                code_of(t, r, plan_fields::SERVICE_TYPE),
            ) else {
                continue;
            };
            let identity = (
                m,
                action,
                kind,
                key(&text_of(t, r, plan_fields::SERVICE_NAME).unwrap_or_default()),
            );
            if let Some(&j) = seen.get(&identity) {
                let label = plan::version_label(*version);
                for (here, there) in [(i, j), (j, i)] {
                    let other = records[there].anchor;
                    let found = issue(
                        t,
                        &records[here],
                        plan_fields::ACTION,
                        Severity::Error,
                        StrategyFinding::DuplicateAction {
                            other,
                            version: label.clone(),
                        },
                    );
                    add(records, here, found, &mut issues);
                }
            } else {
                seen.insert(identity, i);
            }
        }
    }

    // ---- the indicators -----------------------------------------------------
    let valid = valid_figure_keys(&schemas.reference);
    // oblast → code → where it is first.
    let mut codes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for ((role, _, _), rows) in &sheets {
        if *role != Role::StrategyIndicators {
            continue;
        }
        let first = &records[rows[0]];
        let t = &schemas.templates[first.template];
        let Some(oblast) = oblast_of(first, ctx.oblast).map(str::to_string) else {
            // A national run cannot tell whose indicators these are.
            issues.push(
                Issue::error(Location::sheet(&first.file, &first.sheet), Finding::Required)
                    .template(&t.id)
                    .field(indicators_fields::OBLAST),
            );
            for &i in rows {
                records[i].errors += 1;
            }
            continue;
        };
        for &i in rows {
            let r = &records[i];
            if let Some(figure) = text_of(t, r, indicators_fields::FIGURE)
                && !figure_key_valid(&schemas.reference, &figure)
            {
                let found = issue(
                    t,
                    r,
                    indicators_fields::FIGURE,
                    Severity::Error,
                    StrategyFinding::UnknownFigureKey { valid: valid.clone() },
                );
                add(records, i, found, &mut issues);
            }
            let r = &records[i];
            if let Some(scope) = text_of(t, r, indicators_fields::SCOPE)
                && let Scope::Unknown(closest) = resolve_scope(&schemas.reference, &schemas.common, &oblast, &scope)
            {
                let found = issue(
                    t,
                    r,
                    indicators_fields::SCOPE,
                    Severity::Error,
                    StrategyFinding::UnknownScope { closest },
                );
                add(records, i, found, &mut issues);
            }
            let r = &records[i];
            if let Some(code) = text_of(t, r, indicators_fields::CODE) {
                let known = codes.entry(oblast.clone()).or_default();
                match known.get(&key(&code)) {
                    Some(&j) => {
                        for (here, there) in [(i, j), (j, i)] {
                            let other = Location::cell(
                                &records[there].file,
                                &records[there].sheet,
                                at(t, &records[there], indicators_fields::CODE),
                            )
                            .describe();
                            let found = issue(
                                t,
                                &records[here],
                                indicators_fields::CODE,
                                Severity::Error,
                                StrategyFinding::DuplicateIndicator { other },
                            );
                            add(records, here, found, &mut issues);
                        }
                    }
                    None => {
                        known.insert(key(&code), i);
                    }
                }
            }
        }
    }

    // ---- the municipalities' reports ---------------------------------------
    for ((role, _, _), rows) in &sheets {
        if *role != Role::StrategyReport {
            continue;
        }
        let first = &records[rows[0]];
        let t = &schemas.templates[first.template];
        if first.municipality.is_none() {
            // An unknown municipality was reported where it was read (an
            // error on every row); a missing one is reported here, once for
            // the sheet. A report about no municipality adds to nothing.
            if first.errors == 0 {
                issues.push(
                    Issue::error(Location::sheet(&first.file, &first.sheet), Finding::Required)
                        .template(&t.id)
                        .field(report_fields::MUNICIPALITY),
                );
            }
            for &i in rows {
                if records[i].errors == 0 {
                    records[i].errors += 1;
                }
            }
        }
        let first = &records[rows[0]];
        if let (Some(s), Some(e)) = (
            first.get(t, report_fields::PERIOD_START).and_then(Value::as_date),
            first.get(t, report_fields::PERIOD_END).and_then(Value::as_date),
        ) && (s != ctx.period.start || e != ctx.period.end)
        {
            let reported = crate::period::Period { start: s, end: e };
            issues.push(issue(
                t,
                first,
                report_fields::PERIOD_START,
                Severity::Warning,
                StrategyFinding::ReportPeriodDiffers {
                    report_period: reported.display_bg(),
                    run_period: ctx.period.display_bg(),
                },
            ));
        }
        let oblast = oblast_of(first, ctx.oblast).map(str::to_string);
        let known: Option<&BTreeMap<String, usize>> = oblast.as_ref().and_then(|o| codes.get(o));
        let mut known_list: Vec<String> = known
            .map(|k| {
                k.values()
                    .filter_map(|&j| {
                        text_of(
                            &schemas.templates[records[j].template],
                            &records[j],
                            indicators_fields::CODE,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        known_list.sort();
        let known_keys: HashSet<String> = known.map(|k| k.keys().cloned().collect()).unwrap_or_default();
        for &i in rows {
            let r = &records[i];
            if let Some(code) = text_of(t, r, report_fields::INDICATOR) {
                if !known_keys.is_empty() && !known_keys.contains(&key(&code)) {
                    let found = issue(
                        t,
                        r,
                        report_fields::INDICATOR,
                        Severity::Error,
                        StrategyFinding::UnknownIndicator {
                            known: known_list.clone(),
                        },
                    );
                    add(records, i, found, &mut issues);
                }
                let r = &records[i];
                let value_cell = t.field_index(report_fields::VALUE).and_then(|v| r.cells[v]);
                if r.get(t, report_fields::VALUE).is_none()
                    && (value_cell.is_some() || t.field_index(report_fields::VALUE).is_some())
                {
                    let unreadable = value_cell.is_some() && r.errors > 0;
                    if !unreadable {
                        let found = issue(
                            t,
                            r,
                            report_fields::VALUE,
                            Severity::Error,
                            StrategyFinding::ValueRequired,
                        );
                        add(records, i, found, &mut issues);
                    }
                }
            }
            let r = &records[i];
            let status = code_of(t, r, report_fields::STATUS);
            if matches!(status.as_deref(), Some("NOT_DONE" | "POSTPONED"))
                && r.get(t, report_fields::DIFFICULTIES).is_none()
            {
                let name = status
                    .as_deref()
                    .and_then(|c| {
                        schemas
                            .reference
                            .code_index(crate::reference::Table::ActivityStatuses, c)
                    })
                    .map(|j| schemas.reference.activity_statuses[j].name_bg.clone())
                    .unwrap_or_default();
                let found = issue(
                    t,
                    r,
                    report_fields::DIFFICULTIES,
                    Severity::Warning,
                    StrategyFinding::DifficultiesExpected { status: name },
                );
                add(records, i, found, &mut issues);
            }
        }
    }
    issues
}

/// Findings about the plan and the indicators go to the analyst, not to a
/// municipality (the monitoring unit fills them in); the title block of a
/// report, read for every row, is reported once.
pub fn settle(schemas: &crate::schema::Schemas, issues: &mut Vec<Issue>) {
    let of_unit: HashSet<&str> = schemas
        .templates
        .iter()
        .filter(|t| matches!(t.role, Role::StrategyPlan | Role::StrategyIndicators))
        .map(|t| t.id.as_str())
        .collect();
    let strategy: HashSet<String> = schemas
        .templates
        .iter()
        .filter(|t| t.role.is_strategy())
        .map(|t| t.id.clone())
        .collect();
    let mut seen = HashSet::new();
    issues.retain_mut(|i| {
        let Some(template) = i.template.as_deref() else {
            return true;
        };
        if of_unit.contains(template) {
            i.municipality = None;
        }
        if !strategy.contains(template) {
            return true;
        }
        seen.insert((i.location.clone(), i.field.clone(), i.code(), i.severity))
    });
}

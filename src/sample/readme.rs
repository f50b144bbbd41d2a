//! The sample's own README, in Bulgarian and English: takes the options,
//! the files and the truth and gives a page saying what the folder holds,
//! that the names are real and the figures synthetic, which honest mistakes
//! were planted where, and the command that makes the same files again.

use super::registry::REGISTRY_FILE;
use std::fmt::Write as _;

use super::{Mistake, SampleFile, SampleOptions, Truth};
use crate::calendar::DeadlineKey;
use crate::issue::Lang;
use crate::period::Period;
use crate::schema::Schemas;

/// The command that regenerates the sample.
pub(crate) fn command(options: &SampleOptions, folder: &str) -> String {
    let mut out = String::from("socmon sample");
    for oblast in &options.oblasts {
        let _ = write!(out, " --oblast {oblast}");
    }
    if options.scale != 1 {
        let _ = write!(out, " --scale {}", options.scale);
    }
    if options.period != Period::report_2016_2017() {
        let _ = write!(out, " --period {}", options.period.name());
    }
    if let Some(later) = options.later {
        let _ = write!(out, " --later {}", later.name());
    }
    let _ = write!(
        out,
        " --seed {} --mistakes {} --output {folder}",
        options.seed, options.mistakes
    );
    out
}

/// Table cells must not break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub(crate) fn readme(
    schemas: &Schemas,
    options: &SampleOptions,
    oblasts: &[String],
    files: &[SampleFile],
    truth: &Truth,
) -> String {
    let reference = &schemas.reference;
    let names: Vec<String> = oblasts
        .iter()
        .map(|code| reference.oblast(code).map_or(code.clone(), |o| o.name_bg.clone()))
        .collect();
    let names_en: Vec<String> = oblasts
        .iter()
        .map(|code| reference.oblast(code).map_or(code.clone(), |o| o.name_en.clone()))
        .collect();
    // The returns: the registry of incoming documents is the administration's own.
    let count = |ext: &str| {
        files
            .iter()
            .filter(|f| f.relative.ends_with(ext) && !f.relative.ends_with(REGISTRY_FILE))
            .count()
    };
    let (xlsx, xls, ods) = (count(".xlsx"), count(".xls"), count(".ods"));
    let municipalities = truth.municipalities.len();
    let period = options.later.unwrap_or(options.period).display_bg();
    // A card sent twice is one mistake reported at two places.
    let direct = truth
        .planted
        .iter()
        .filter(|p| !p.consequence && p.mistake != Mistake::DuplicateCard)
        .count()
        + truth
            .planted
            .iter()
            .filter(|p| p.mistake == Mistake::DuplicateCard)
            .count()
            / 2;
    let command = command(options, &folder(schemas, options, oblasts));

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Примерни отчети – {} / Sample returns – {}\n",
        names.join(", "),
        names_en.join(", ")
    );
    let _ = writeln!(out, "## Български\n");
    let _ = writeln!(
        out,
        "Примерни отчети за мониторинга на областната стратегия за развитие на социалните услуги: \
         карти на общинските администрации, карти на социални услуги за пълнолетни и за деца \
         и таблици от дирекциите „Социално подпомагане“ (ДСП), както биха пристигнали от \
         {municipalities} общини за периода {period}.\n"
    );
    let _ = writeln!(
        out,
        "**Имената на областите, общините и селата са истински; всички числа, наименования на услуги, \
         доставчици и хора са измислени.** Данните не описват действителни услуги.\n"
    );
    let _ = writeln!(
        out,
        "Файлове: {} ({xlsx} .xlsx, {xls} .xls, {ods} .ods), по една папка на община и папка `ДСП`. \
         Записи: {}, от тях с грешка (не влизат в сборовете): {}. Част от общините са изпратили \
         всички карти на услуги в една работна книга (по един лист на карта). Файловете са попълнени \
         по различни начини, допустими по образците: номерирани и обединени клетки с етикети, \
         етикети с главни букви, с „:“ или „*“, с пренесен ред или с латинска буква, която прилича на \
         кирилска; числа като „1 250,50“; дати като текст; съкращения и други имена на видовете услуги.\n",
        xlsx + xls + ods,
        truth.records,
        truth.records_rejected
    );
    let strategy = files.iter().any(|f| f.relative.contains("Стратегия/"));
    if strategy {
        let _ = writeln!(
            out,
            "Стратегията (STRATEGY.md): в папка `Стратегия` (за всяка област) са планът за развитие на \
             социалните услуги, както е приет и актуализиран (два файла, две версии), и индикаторите на \
             стратегията (част от тях се изчисляват от данните, останалите се събират от отчетите на \
             общините); в папката на всяка община без една е отчетът ѝ за изпълнението на общинската \
             стратегия. Планът е съставен от услугите на общините, така че всяко действие има състояние: \
             в срок, със закъснение, просрочено или предстоящо.\n"
        );
    }
    let _ = writeln!(out, "### Нарочно допуснати грешки\n");
    let _ = writeln!(
        out,
        "{direct} честни грешки, каквито има в истинските отчети. Редовете „следствие“ са находки, \
         които грешката предизвиква другаде (например общината не е разпозната, затова броят на \
         картите ѝ не съвпада).\n"
    );
    table(&mut out, schemas, truth, Lang::Bg);
    calendar(&mut out, schemas, truth, Lang::Bg);
    changes(&mut out, schemas, options, truth, Lang::Bg);
    let _ = writeln!(
        out,
        "\nСъщите файлове (байт по байт) се получават отново с:\n\n```\n{command}\n```\n"
    );

    let _ = writeln!(out, "## English\n");
    let _ = writeln!(
        out,
        "Sample returns for the monitoring of the regional strategy for social services: municipal \
         administration cards, service cards for adults and for children, and tables from the Social \
         Assistance Directorates (DSP), as {municipalities} municipalities would send them for the period {period}.\n"
    );
    let _ = writeln!(
        out,
        "**The names of oblasts, municipalities and villages are real; every figure and every name of a \
         service, provider or person is made up.** The data describe no actual service.\n"
    );
    let _ = writeln!(
        out,
        "Files: {} ({xlsx} .xlsx, {xls} .xls, {ods} .ods), one folder per municipality and a `ДСП` folder. \
         Records: {}, of which {} carry an error and add to no figure. Some municipalities sent all their \
         service cards in one workbook (a sheet per card). The files are filled in the many ways the \
         templates allow: numbered and merged label cells, labels in upper case, with \":\" or \"*\", with a \
         line break or a Latin look-alike letter; numbers such as \"1 250,50\"; dates as text; abbreviations \
         and other names of service types.\n",
        xlsx + xls + ods,
        truth.records,
        truth.records_rejected
    );
    if strategy {
        let _ = writeln!(
            out,
            "The strategy (STRATEGY.md): the folder `Стратегия` (of each oblast) holds the plan of services as \
             adopted and as updated (two files, two versions) and the strategy's indicators (some computed \
             from the figures, the others summed from the municipalities' reports); the folder of every \
             municipality but one holds its report on the implementation of its own strategy. The plan is \
             drawn from the municipalities' services, so that each action has a status: on time, late, \
             overdue or not yet due.\n"
        );
    }
    let _ = writeln!(out, "### Planted mistakes\n");
    let _ = writeln!(
        out,
        "{direct} honest mistakes of the kind real returns have. Rows marked \"consequence\" are findings the \
         mistake causes elsewhere (for instance a municipality that cannot be read, so its card count differs).\n"
    );
    table(&mut out, schemas, truth, Lang::En);
    calendar(&mut out, schemas, truth, Lang::En);
    changes(&mut out, schemas, options, truth, Lang::En);
    let _ = writeln!(
        out,
        "\nThe same files, byte for byte, come back with:\n\n```\n{command}\n```"
    );
    out
}

/// What a deadline is for, in the README's words.
fn what(key: DeadlineKey, lang: Lang) -> &'static str {
    match (key, lang) {
        (DeadlineKey::Returns, Lang::Bg) => "отчетни данни (карти и таблици)",
        (DeadlineKey::StrategyReport, Lang::Bg) => "отчет за изпълнението на общинската стратегия",
        (DeadlineKey::CouncilDecision, Lang::Bg) => "решение на общинския съвет за приемане на отчета",
        (DeadlineKey::Returns, Lang::En) => "returns (cards and tables)",
        (DeadlineKey::StrategyReport, Lang::En) => "implementation report of the municipal strategy",
        (DeadlineKey::CouncilDecision, Lang::En) => "council decision adopting the report",
    }
}

/// The calendar: the registry, the deadlines in `socmon.toml`, who is late, who is missing what.
fn calendar(out: &mut String, schemas: &Schemas, truth: &Truth, lang: Lang) {
    let c = &truth.calendar;
    let Some(deadline) = c.deadlines.returns else { return };
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let name = |code: &str| {
        schemas
            .reference
            .municipality(code)
            .map_or(code.to_string(), |m| m.name_bg.clone())
    };
    let bg = lang == Lang::Bg;
    let _ = writeln!(
        out,
        "\n### {}\n",
        if bg {
            "Срокове и входящ регистър"
        } else {
            "Deadlines and the registry"
        }
    );
    let reports = match (c.deadlines.strategy_report, c.deadlines.council_decision) {
        (Some(report), Some(council)) if bg => format!(
            ", за отчетите за изпълнението на общинските стратегии {} и за решенията на общинските съвети, \
             с които са приети, {} (датата на решението се чете от текста му в заглавната част на отчета)",
            day(report),
            day(council)
        ),
        (Some(report), Some(council)) => format!(
            ", the implementation reports' {} and that of the councils' decisions adopting them {} (the \
             decision's date is read from its text in the report's title block)",
            day(report),
            day(council)
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{}",
        if bg {
            format!(
                "`{REGISTRY_FILE}` е входящият регистър на областната администрация: кога е заведен всеки отчет \
                 (по подател, а картата на общината и отчетът за изпълнението на стратегията — и по име на файла). \
                 `socmon.toml` задава срок за отчетните данни {}{reports}. Всяка община, която е закъсняла или от \
                 която липсва нещо, е един ред в „Напомняния“ и едно съобщение в `reminders.txt`, с всичко, което \
                 дължи. Закъснели (находка `late` и „закъснели“ в „Подадени данни“):\n",
                day(deadline)
            )
        } else {
            format!(
                "`{REGISTRY_FILE}` is the regional administration's registry of incoming documents: when each return \
                 was registered (by sender, and the municipal card and the implementation report also by file \
                 name). `socmon.toml` sets the returns' deadline {}{reports}. Each municipality late or missing something \
                 is one row on „Напомняния“ and one message in `reminders.txt`, with everything it owes. Late (a \
                 `late` finding and \"late\" on „Подадени данни“):\n",
                day(deadline)
            )
        }
    );
    let _ = writeln!(
        out,
        "{}",
        if bg {
            "| Община | Какво | Получено на (решение от) | Срок | Дни закъснение | Файл |\n| --- | --- | --- | --- | --- | --- |"
        } else {
            "| Municipality | What | Received on (decision of) | Deadline | Days late | File |\n| --- | --- | --- | --- | --- | --- |"
        }
    );
    for late in &c.late {
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} | {} | {} | `{}` |",
            name(&late.municipality),
            late.municipality,
            what(late.what, lang),
            day(late.received_on),
            c.deadlines.get(late.what).map(day).unwrap_or_default(),
            late.days,
            late.file
        );
    }
    if !c.missing.is_empty() {
        let _ = writeln!(
            out,
            "\n{}\n",
            if bg {
                "Липсват („липсват“ в „Подадени данни“):"
            } else {
                "Missing (\"missing\" on „Подадени данни“):"
            }
        );
        let _ = writeln!(
            out,
            "{}",
            if bg {
                "| Община | Какво липсва | Срок |\n| --- | --- | --- |"
            } else {
                "| Municipality | What is missing | Deadline |\n| --- | --- | --- |"
            }
        );
        for missing in &c.missing {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} |",
                name(&missing.municipality),
                missing.municipality,
                what(missing.what, lang),
                c.deadlines.get(missing.what).map(day).unwrap_or_default()
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        match (bg, c.missing.is_empty()) {
            (true, true) =>
                "Всички останали общини са подали в срок; липсващи няма (всяка община има отчети в набора).",
            (true, false) => "Всичко останало е подадено в срок; отчетни данни (карти и таблици) има от всяка община.",
            (false, true) =>
                "Every other municipality sent in time; none is missing (every municipality has returns in the set).",
            (false, false) => "Everything else came in time; every municipality sent returns (cards and tables).",
        }
    );
}

/// The folder a sample's README names: `input` for the shipped demo, else
/// `samples/<oblast>-<period>`.
fn folder(schemas: &Schemas, options: &SampleOptions, oblasts: &[String]) -> String {
    let demo = super::SampleOptions::ruse_demo();
    if options.oblasts == demo.oblasts && options.period == demo.period && options.later.is_none() {
        return "input".into();
    }
    let name = match oblasts {
        [one] => schemas
            .reference
            .oblast(one)
            .map_or(one.to_lowercase(), |o| o.name_en.to_lowercase().replace(' ', "-")),
        _ => "sample".into(),
    };
    format!("samples/{name}-{}", options.later.unwrap_or(options.period).name())
}

/// A later period's planted changes.
fn changes(out: &mut String, schemas: &Schemas, options: &SampleOptions, truth: &Truth, lang: Lang) {
    let Some(later) = options.later else { return };
    let bg = lang == Lang::Bg;
    let _ = writeln!(
        out,
        "\n### {}\n",
        if bg {
            "Промени спрямо предходния период"
        } else {
            "Changes since the previous period"
        }
    );
    let _ = writeln!(
        out,
        "{}\n",
        if bg {
            format!(
                "Същите общини и услуги като в примера за {} (същото зърно), един период по-късно ({}). Нарочно направени промени, които сравнението трябва да покаже:",
                options.period.name(),
                later.name()
            )
        } else {
            format!(
                "The same municipalities and services as the sample for {} (the same seed), one period later ({}). Changes made on purpose, which the comparison must show:",
                options.period.name(),
                later.name()
            )
        }
    );
    let _ = writeln!(
        out,
        "{}",
        if bg {
            "| Промяна | Община | Услуга | Места преди | Места сега |\n| --- | --- | --- | --- | --- |"
        } else {
            "| Change | Municipality | Service | Places then | Places now |\n| --- | --- | --- | --- | --- |"
        }
    );
    for p in &truth.planned {
        let what = match (p.change, bg) {
            (super::PlannedChange::Opened, true) => "открита услуга",
            (super::PlannedChange::Closed, true) => "закрита услуга",
            (super::PlannedChange::CapacityChanged, true) => "променен капацитет",
            (super::PlannedChange::SuspiciousJump, true) => "съмнителен скок (отклонение)",
            (super::PlannedChange::Opened, false) => "service opened",
            (super::PlannedChange::Closed, false) => "service closed",
            (super::PlannedChange::CapacityChanged, false) => "capacity changed",
            (super::PlannedChange::SuspiciousJump, false) => "suspicious jump (an outlier)",
        };
        let municipality = schemas
            .reference
            .municipality(&p.municipality)
            .map_or(p.municipality.clone(), |m| m.name_bg.clone());
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
        let _ = writeln!(
            out,
            "| {what} | {municipality} | {} | {} | {} |",
            cell(&p.service_name),
            n(p.capacity_before),
            n(p.capacity_after)
        );
    }
}

fn table(out: &mut String, schemas: &Schemas, truth: &Truth, lang: Lang) {
    let bg = lang == Lang::Bg;
    let _ = writeln!(
        out,
        "{}",
        if bg {
            "| Файл | Лист | Клетка | Поле | Код | Тежест | Грешка |\n| --- | --- | --- | --- | --- | --- | --- |"
        } else {
            "| File | Sheet | Cell | Field | Code | Severity | Mistake |\n| --- | --- | --- | --- | --- | --- | --- |"
        }
    );
    for issue in &truth.planted {
        let file = if issue.file.is_empty() {
            let name = schemas
                .reference
                .municipality(&issue.municipality)
                .map_or(issue.municipality.clone(), |m| m.name_bg.clone());
            if bg {
                format!("(няма файл: {name})")
            } else {
                format!("(no file: {name})")
            }
        } else {
            format!("`{}`", issue.file)
        };
        let mut what = issue.mistake.describe(lang).to_string();
        if issue.consequence {
            what = if bg {
                format!("следствие: {what}")
            } else {
                format!("consequence: {what}")
            };
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | `{}` | {} | {} |",
            cell(&file),
            cell(&issue.sheet),
            issue.cell,
            issue.field,
            issue.code,
            issue.severity.label(lang),
            cell(&what)
        );
    }
}

//! Words the sample is made of: names of services, providers and people,
//! villages of Ruse oblast, streets, and the small text helpers that turn
//! them into e-mail addresses or honest misspellings. The municipalities and
//! oblasts themselves come from the reference data; everything here is
//! synthetic (no real provider or person is named).

use super::rng::Rng;

/// Names services carry after their type („Дневен център за стари хора „Слънце“").
pub(crate) const NICKNAMES: &[&str] = &[
    "Слънце",
    "Надежда",
    "Дъга",
    "Детелина",
    "Бъдеще",
    "Радост",
    "Светлина",
    "Усмивка",
    "Вяра",
    "Мечта",
    "Първа стъпка",
    "Приятели",
    "Шанс",
    "Изгрев",
    "Здравец",
    "Милосърдие",
    "Св. Николай",
    "Св. Георги",
    "Добро сърце",
    "Кокиче",
    "Незабравка",
    "Топлина",
    "Нов дом",
    "Зорница",
    "Посока",
    "Синчец",
    "Лале",
    "Минзухар",
    "Звездица",
    "Пролет",
];

/// Non-profit providers (fictional).
pub(crate) const NGOS: &[&str] = &[
    "Фондация „Светлина“",
    "Фондация „Здраве и грижа“",
    "Сдружение „Шанс за всяко дете“",
    "Фондация „Мост към бъдещето“",
    "Сдружение „Жива вода“",
    "Фондация „Дом за всеки“",
    "Сдружение „Подкрепа“",
    "Фондация „Ново начало“",
    "Сдружение „Заедно“",
    "Фондация „Протегната ръка“",
    "Сдружение „Семейство и общество“",
    "Фондация „Детски усмивки“",
];

/// Trading companies that provide services (fictional).
pub(crate) const TRADERS: &[&str] = &[
    "Медика Кеър ЕООД",
    "Социални грижи ЕООД",
    "Грижа Плюс ООД",
    "Дом Здраве ЕООД",
    "Хелп Сървисиз ЕООД",
    "Асистент БГ ООД",
];

pub(crate) const STATE_PROVIDER: &str = "Министерство на здравеопазването";

const FIRST_NAMES_F: &[&str] = &[
    "Мария",
    "Иванка",
    "Петя",
    "Галина",
    "Светла",
    "Десислава",
    "Елена",
    "Нели",
    "Росица",
    "Анелия",
    "Гергана",
    "Стефка",
    "Даниела",
    "Снежана",
    "Милена",
    "Цветелина",
];
const SURNAMES_F: &[&str] = &[
    "Иванова",
    "Петрова",
    "Георгиева",
    "Николова",
    "Стоянова",
    "Димитрова",
    "Христова",
    "Тодорова",
    "Колева",
    "Маринова",
    "Атанасова",
    "Йорданова",
    "Василева",
    "Минчева",
];
const FIRST_NAMES_M: &[&str] = &[
    "Иван",
    "Георги",
    "Петър",
    "Стоян",
    "Николай",
    "Димитър",
    "Красимир",
    "Пламен",
];
const SURNAMES_M: &[&str] = &[
    "Иванов",
    "Петров",
    "Георгиев",
    "Николов",
    "Стоянов",
    "Димитров",
    "Колев",
    "Маринов",
];

pub(crate) const POSITIONS: &[&str] = &[
    "главен експерт „Социални дейности“",
    "директор на услугата",
    "социален работник",
    "старши експерт",
    "управител",
    "началник отдел „Социални дейности“",
    "координатор",
];

const STREETS: &[&str] = &[
    "ул. „Възраждане“",
    "ул. „Христо Ботев“",
    "бул. „България“",
    "ул. „Васил Левски“",
    "ул. „Гео Милев“",
    "ул. „Св. Св. Кирил и Методий“",
    "ул. „Раковски“",
    "ул. „Цар Освободител“",
    "ул. „Шипка“",
    "ул. „Иван Вазов“",
];

/// Villages (and the towns that are no centre) of the municipalities of
/// Ruse oblast, for the demo set; other municipalities use their centre only.
pub(crate) fn villages(municipality_code: &str) -> &'static [&'static str] {
    match municipality_code {
        "RSE03" => &["с. Батин", "с. Горно Абланово", "с. Екзарх Йосиф", "с. Обретеник"],
        "RSE04" => &[
            "с. Ботров",
            "с. Босилковци",
            "с. Лом Черковна",
            "с. Пейчиново",
            "с. Полско Косово",
        ],
        "RSE05" => &["с. Глоджево", "с. Писанец", "с. Кривня", "с. Смирненски"],
        "RSE08" => &["с. Баниска", "с. Бъзовец", "с. Острица", "с. Каран Върбовка"],
        "RSE13" => &["с. Мечка", "с. Щръклево", "с. Пиргово", "с. Красен", "с. Тръстеник"],
        "RSE27" => &[
            "с. Николово",
            "гр. Мартен",
            "с. Сандрово",
            "с. Ястребово",
            "с. Басарбово",
            "с. Просена",
        ],
        "RSE33" => &[
            "с. Бръшлен",
            "с. Борисово",
            "с. Ряхово",
            "с. Бабово",
            "с. Голямо Враново",
        ],
        "RSE37" => &["с. Белцов", "с. Джулюница", "с. Кривина", "с. Долна Студена"],
        _ => &[],
    }
}

/// Centres of Ruse oblast that are villages (every other centre is written as a town).
pub(crate) fn centre_is_village(municipality_code: &str) -> bool {
    matches!(municipality_code, "RSE13" | "RSE37")
}

/// About how many people live in the bigger oblast centres (synthetic, rounded).
pub(crate) fn centre_population(municipality_code: &str) -> Option<i64> {
    Some(match municipality_code {
        "SOF46" => 1_300_000,
        "PDV22" => 340_000,
        "VAR06" => 335_000,
        "BGS04" => 210_000,
        "SZR31" => 155_000,
        "RSE27" => 145_000,
        "SLV20" => 125_000,
        "PVN24" => 120_000,
        _ => return None,
    })
}

/// A person's name: (first name, surname).
pub(crate) fn person(rng: &mut Rng) -> (&'static str, &'static str) {
    if rng.chance(0.8) {
        (*rng.pick(FIRST_NAMES_F), *rng.pick(SURNAMES_F))
    } else {
        (*rng.pick(FIRST_NAMES_M), *rng.pick(SURNAMES_M))
    }
}

/// "ул. „Шипка“ № 12".
pub(crate) fn street(rng: &mut Rng) -> String {
    format!("{} № {}", rng.pick(STREETS), rng.range(1, 60))
}

/// Bulgarian Cyrillic in Latin letters (the streamlined system), lower case,
/// for e-mail addresses.
pub(crate) fn transliterate(text: &str) -> String {
    let mut out = String::new();
    for ch in text.to_lowercase().chars() {
        let latin = match ch {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sht",
            'ъ' => "a",
            'ь' => "y",
            'ю' => "yu",
            'я' => "ya",
            ' ' | '-' => "-",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(latin);
    }
    out
}

/// Honest misspellings of a name: a doubled letter, two letters swapped, a
/// letter dropped, in an order that depends on `rng`. The caller keeps the
/// first one that names no municipality.
pub(crate) fn misspellings(name: &str, rng: &mut Rng) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    // Inner letters only: people rarely get the first letter wrong.
    for i in 1..chars.len() {
        if !chars[i].is_alphabetic() {
            continue;
        }
        let mut doubled = chars.clone();
        doubled.insert(i, chars[i]);
        out.push(doubled.iter().collect());
        if i + 1 < chars.len() && chars[i + 1].is_alphabetic() && chars[i] != chars[i + 1] {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            out.push(swapped.iter().collect());
        }
        if chars.len() > 4 {
            let mut dropped = chars.clone();
            dropped.remove(i);
            out.push(dropped.iter().collect());
        }
    }
    rng.shuffle(&mut out);
    out
}

/// The Latin letter a typist may put for a Cyrillic one that looks the same.
pub(crate) fn latin_lookalike(ch: char) -> Option<char> {
    Some(match ch {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'х' => 'x',
        'у' => 'y',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_latin_addresses() {
        assert_eq!(transliterate("Две могили"), "dve-mogili");
        assert_eq!(transliterate("Щръклево"), "shtraklevo");
    }

    #[test]
    fn misspellings_differ_from_the_name() {
        let mut rng = Rng::new(1);
        let found = misspellings("Русе", &mut rng);
        assert!(!found.is_empty());
        assert!(found.iter().all(|m| m != "Русе" && m.starts_with('Р')));
    }
}

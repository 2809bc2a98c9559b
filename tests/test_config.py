import re
from pathlib import Path

import pytest

from cskpi.config import BusinessHours, Config, load_config
from cskpi.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "config.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cskpi.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str, **kwargs) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, **kwargs)
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    return message[len(f"{path}: "):]


def test_without_a_file_the_catalogue_defaults_apply(tmp_path):
    assert load_config() == Config()
    assert load_config(data_dir=tmp_path) == Config()


def test_the_file_in_the_data_folder_is_found_and_read(tmp_path):
    path = write(tmp_path, """
currency = "sek"
[thresholds]
short_abandon_seconds = 10
service_level_seconds = 30.5
csat_good_min = 5
[sla]
first_response_hours = 12
[sla.priority]
Urgent = 2
[sla.channel]
" Chat " = 0.5
[costs]
labour_categories = [" Wages", "overtime", "wages"]
[fcr]
variant = "call_resolved"
[business_hours]
tz = "Europe/Stockholm"
mon = "08:00-12:00, 13:00-17:00"
fri = "08:00-15:00"
sat = ""
holidays_country = "se"
closed_dates = ["2026-12-23", 2026-12-30]
[targets]
csat = ">=85"
""")
    config = load_config(data_dir=tmp_path)
    assert config == Config(
        currency="SEK", short_abandon_seconds=10.0, service_level_seconds=30.5,
        csat_good_min=5.0, first_response_sla_hours=12.0, sla_hours_by_priority={"urgent": 2.0},
        sla_hours_by_channel={"chat": 0.5}, labour_categories=("wages", "overtime"),
        fcr_variant="call_resolved",
        business_hours=BusinessHours(
            tz="Europe/Stockholm", week={0: [("08:00", "12:00"), ("13:00", "17:00")],
                                         4: [("08:00", "15:00")]},
            holidays_country="SE", closed_dates=("2026-12-23", "2026-12-30")),
        targets={"csat": ">= 85"}, source=str(path), raw=config.raw)


def test_the_documented_example_loads(tmp_path):
    example = re.search(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    config = load_config(write(tmp_path, example))
    assert config.business_hours.week[4] == [("08:00", "12:00"), ("13:00", "16:00")]
    assert config.targets["customers_cost_over_value"] == "== 0"


@pytest.mark.parametrize(("text", "message"), [
    ("[thresholds]\nservce_level_seconds = 20\n",
     "thresholds.servce_level_seconds: unknown key. Did you mean 'service_level_seconds'? "
     "Allowed in [thresholds]: short_abandon_seconds, service_level_seconds, csat_good_min"),
    ("[bussiness_hours]\ntz = 'UTC'\n",
     "bussiness_hours: unknown key. Did you mean 'business_hours'? Allowed at the top level: "
     "currency, tz, max_reject_rate, week_start, lang, thresholds, sla, costs, fcr, "
     "business_hours, targets"),
    ('[thresholds]\nservice_level_seconds = "20"\n',
     "thresholds.service_level_seconds: must be a number of seconds >= 0, got '20'. "
     "Write a plain number without quotes, e.g. service_level_seconds = 20"),
    ("[thresholds]\ncsat_good_min = 7\n",
     "thresholds.csat_good_min: must be a number between 1 and 5, got 7. "
     "Write a plain number without quotes, e.g. csat_good_min = 4"),
    ("[sla.priority]\nurgent = true\n",
     "sla.priority.urgent: must be a number of hours > 0, got true. "
     "Write a plain number without quotes, e.g. urgent = 8"),
    ('[fcr]\nvariant = "two_touch"\n',
     "fcr.variant: must be one of 'one_touch', 'call_resolved', got 'two_touch'. "
     'Pick one, e.g. variant = "one_touch"'),
    ('[business_hours]\ntz = "Europe/Helsinky"\nmon = "08:00-17:00"\n',
     "business_hours.tz: unknown timezone 'Europe/Helsinky'. Did you mean 'Europe/Helsinki'? "
     'Use an IANA name such as "Europe/Helsinki" or "UTC"'),
    ('[business_hours]\nmon = "08:00-17:00"\n',
     'business_hours.tz: missing. Name the timezone the opening hours are in, '
     'e.g. tz = "Europe/Helsinki"'),
    ('[business_hours]\ntz = "UTC"\nmon = "22:00-06:00"\n',
     "business_hours.mon: '22:00-06:00' closes before it opens. Write \"HH:MM-HH:MM\", several "
     'separated by commas ("08:00-12:00,13:00-17:00"), or "" for closed; a night shift is '
     'split at midnight ("22:00-24:00" and next day "00:00-06:00")'),
    ('[targets]\ncsat = "at least 85"\n',
     "targets.csat: 'at least 85' is not a target. Write an operator (<=, >=, <, >, ==) and "
     "a number in the KPI's unit, e.g. \"<= 4\" or \">= 85\""),
    ('currency = EUR\n',
     "not valid TOML: Invalid value (at line 1, column 12). Fix the syntax there (text values "
     'need quotes, e.g. currency = "EUR")'),
])
def test_bad_files_get_a_message_naming_the_key_and_what_is_allowed(tmp_path, text, message):
    assert error_for(tmp_path, text) == message


@pytest.mark.parametrize(("text", "fragment"), [
    ('[business_hours]\ntz = "UTC"\nmon = "8-17"\n', "'8-17' is not an opening interval"),
    ('[business_hours]\ntz = "UTC"\nmon = "08:00-12:00,11:00-13:00"\n', "overlaps"),
    ('[business_hours]\ntz = "UTC"\nmon = "09:00-24:01"\n', "is not an opening interval"),
    ('[business_hours]\ntz = "UTC"\nsat = ""\n', "no opening hours on any day"),
    ('[business_hours]\ntz = "UTC"\nmon = "08:00-17:00"\nholidays_country = "XX"\n',
     "'XX' is not a country"),
    ('[business_hours]\ntz = "UTC"\nmon = "08:00-17:00"\nholidays_country = "DE"\n'
     'holidays_subdivision = "ZZ"\n', "'ZZ' is not a subdivision of DE. Use one of: BB"),
    ('[business_hours]\ntz = "UTC"\nmon = "08:00-17:00"\nholidays_subdivision = "BY"\n',
     "given without holidays_country"),
    ('[business_hours]\ntz = "UTC"\nmon = "08:00-17:00"\nclosed_dates = ["2026-13-01"]\n',
     "closed_dates: '2026-13-01' is not a date"),
    ('[business_hours]\ntz = "UTC"\nmon = "08:00-17:00"\nhours = "x"\n',
     "business_hours.hours: unknown key"),
    ('[costs]\nlabour_categories = "wages"\n', "must be a non-empty list of category names"),
    ('[costs]\nlabour_categories = []\n', "must be a non-empty list of category names"),
    ('currency = "euro"\n', "must be a three-letter ISO 4217 code"),
    ("thresholds = 3\n", "thresholds: must be a table, got 3"),
    ("[sla]\nfirst_response_hours = 0\n", "must be a number of hours > 0, got 0"),
    ("[targets]\ncsat = 85\n", "targets.csat: must be a text in quotes, got 85"),
])
def test_every_kind_of_mistake_is_caught(tmp_path, text, fragment):
    assert fragment in error_for(tmp_path, text)


def test_target_kpis_are_checked_against_the_known_ids_when_given(tmp_path):
    message = error_for(tmp_path, '[targets]\ncsta = ">= 85"\n', known_kpis={"csat", "nps"})
    assert message == ("targets.csta: unknown KPI id. Did you mean 'csat'? "
                       "`cskpi kpis` lists the ids")
    assert load_config(write(tmp_path, '[targets]\ncsta = ">= 85"\n')).targets == {
        "csta": ">= 85"}


def test_a_missing_config_path_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file. Check the --config path"):
        load_config(tmp_path / "missing.toml")


def test_a_subdivision_is_kept_upper_cased(tmp_path):
    config = load_config(write(tmp_path, '[business_hours]\ntz = "Europe/Berlin"\n'
                                         'mon = "09:00-17:00"\nholidays_country = "de"\n'
                                         'holidays_subdivision = "by"\n'))
    assert (config.business_hours.holidays_country,
            config.business_hours.holidays_subdivision) == ("DE", "BY")


def test_a_top_level_timezone_is_read_and_checked(tmp_path):
    path = tmp_path / "cskpi.toml"
    path.write_text('tz = "Europe/Helsinki"\n', encoding="utf-8")
    assert load_config(path).tz == "Europe/Helsinki"
    path.write_text('tz = "Europe/Helsinky"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown timezone 'Europe/Helsinky'.*Europe/Helsinki"):
        load_config(path)

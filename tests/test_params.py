"""Scenario validation: every kind of bad input gets one clear line naming the file, the key, the value and
what was expected, before any computing starts."""

from pathlib import Path

import pytest
import yaml

from costlib import params
from costlib.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "params" / "unit_economics" / "streaming_margin.yaml"


def write_scenario(tmp_path: Path, data: dict | str, topic: str = "unit_economics", name: str = "s.yaml") -> Path:
    folder = tmp_path / topic
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def good_data() -> dict:
    return yaml.safe_load(GOOD.read_text())


def error_of(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        params.load(path, ROOT)
    return info.value


def test_every_committed_scenario_is_valid():
    """Every params file in the repository validates against its workbook's schema."""
    files = sorted((ROOT / "params").glob("*/*.yaml"))
    assert len(files) >= 7
    for path in files:
        params.load(path, ROOT)


def test_misspelled_key_is_named_with_a_suggestion(tmp_path):
    data = good_data()
    data["max_volume_multiplyer"] = data.pop("max_volume_multiplier")
    path = write_scenario(tmp_path, data)
    err = error_of(path)
    assert len(err.lines()) == 1
    line = err.lines()[0]
    assert str(path) in line
    assert "'max_volume_multiplyer'" in line
    assert "unknown key" in line and "did you mean 'max_volume_multiplier'" in line


def test_negative_volume_is_rejected(tmp_path):
    data = good_data()
    data["volume_units_per_month"] = -5
    err = error_of(write_scenario(tmp_path, data))
    assert err.lines() == [f"{tmp_path / 'unit_economics' / 's.yaml'}: key 'volume_units_per_month' = -5: "
                           "expected a number > 0"]


def test_negative_price_in_nested_component_names_the_path(tmp_path):
    data = good_data()
    data["components"][2]["usd_per_month"] = -1
    err = error_of(write_scenario(tmp_path, data))
    assert "key 'components[2].usd_per_month' = -1: expected a number >= 0" in str(err)


def test_rate_given_as_percent_is_rejected(tmp_path):
    """A target margin of 20 (meaning 20%) must not be read as 2000%."""
    data = good_data()
    data["target_gross_margin"] = 20
    err = error_of(write_scenario(tmp_path, data))
    assert "key 'target_gross_margin' = 20: expected a decimal rate in [0, 1] (write 0.07 for 7%)" in str(err)


def test_wrong_type_is_rejected(tmp_path):
    data = good_data()
    data["volume_units_per_month"] = "lots"
    err = error_of(write_scenario(tmp_path, data))
    assert "key 'volume_units_per_month' = 'lots': expected a valid number" in str(err)


def test_empty_component_list_is_rejected(tmp_path):
    data = good_data()
    data["components"] = []
    data.pop("sensitivity_ranges")
    err = error_of(write_scenario(tmp_path, data))
    assert "key 'components' = []: expected a non-empty list" in str(err)


def test_missing_required_key(tmp_path):
    data = good_data()
    del data["price_usd_per_unit"]
    err = error_of(write_scenario(tmp_path, data))
    assert "key 'price_usd_per_unit' = None: required key is missing" in str(err)


def test_several_problems_are_all_reported(tmp_path):
    data = good_data()
    data["volume_units_per_month"] = -1
    data["target_gross_margin"] = 7
    data["horizon_month"] = 36
    err = error_of(write_scenario(tmp_path, data))
    keys = {line.split("key '")[1].split("'")[0] for line in err.lines()}
    assert keys == {"volume_units_per_month", "target_gross_margin", "horizon_month"}


def test_missing_file(tmp_path):
    err = error_of(tmp_path / "unit_economics" / "nope.yaml")
    assert str(err).endswith("nope.yaml: file not found")


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write_scenario(tmp_path, "title: x\nvolume_units_per_month: [1, 2\n")
    err = error_of(path)
    assert "not valid YAML at line" in str(err)


def test_top_level_must_be_a_mapping(tmp_path):
    err = error_of(write_scenario(tmp_path, "- 1\n- 2\n"))
    assert "expected a mapping of parameter names to values" in str(err)


def test_unknown_pricebook_reference(tmp_path):
    data = good_data()
    data["price_usd_per_unit"] = "pricebook:aws_s3_standard_usd_per_gb_mnth"
    err = error_of(write_scenario(tmp_path, data))
    assert "key 'price_usd_per_unit' = 'pricebook:aws_s3_standard_usd_per_gb_mnth'" in str(err)
    assert "did you mean 'aws_s3_standard_usd_per_gb_month'" in str(err)


def test_pricebook_reference_resolves_to_the_listed_value(tmp_path):
    book = yaml.safe_load((ROOT / "params" / "pricebook.yaml").read_text())
    data = good_data()
    data["price_usd_per_unit"] = "pricebook:aws_s3_standard_usd_per_gb_month"
    data["sensitivity_ranges"].pop("price_usd_per_unit")  # its range was for the old price
    scenario = params.load(write_scenario(tmp_path, data), ROOT)
    assert scenario.price_usd_per_unit == book["aws_s3_standard_usd_per_gb_month"]["value"]


def test_every_pricebook_entry_has_source_and_date():
    book = params.load_pricebook(ROOT)
    assert book
    for key, entry in book.items():
        assert entry["source"] and entry["read_on"], key
        assert isinstance(entry["value"], (int, float)), key


def test_folder_without_workbook(tmp_path):
    err = error_of(write_scenario(tmp_path, {"a": 1}, topic="no_such_workbook"))
    assert "no workbook module costlib/workbooks/no_such_workbook.py" in str(err)


def test_collect_reports_a_typo_injected_by_papermill():
    """In a notebook, a name defined after the baseline that is not a parameter is an unknown key."""
    namespace = {"In": [], "_baseline_marker": 1}
    baseline = set(namespace)
    namespace.update(good_data())
    namespace["horizon_month"] = 48  # what `papermill -p horizon_month 48` would inject
    namespace["interactive"] = False
    with pytest.raises(ScenarioError) as info:
        params.collect(namespace, "unit_economics", baseline)
    assert str(info.value).startswith("notebook parameters: key 'horizon_month' = 48: unknown key")


def test_collect_names_the_params_file_when_given():
    namespace = {**good_data(), "params_file": "params/unit_economics/x.yaml"}
    namespace["volume_units_per_month"] = 0
    with pytest.raises(ScenarioError) as info:
        params.collect(namespace, "unit_economics", set())
    assert str(info.value) == "params/unit_economics/x.yaml: key 'volume_units_per_month' = 0: expected a number > 0"

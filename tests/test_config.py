"""Configuration: where it is read from, typed values, and unknown keys named in the error."""

from __future__ import annotations

import pytest

from optimizer.config import ConfigError, load_config, parse_config


def test_pyproject_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.perfrewrite]\nselect = ["n_plus_one"]\nfail-on = "warning"\nmax-file-size = 1000\n'
        '[tool.perfrewrite.per-file-ignores]\n"scripts/**" = ["n-plus-one-query"]\n'
        '[tool.perfrewrite.rules.n-plus-one-query]\ninclude-tests = true\n'
    )
    config = load_config(tmp_path)
    assert config.select == ("n_plus_one",) and config.fail_on == "warning" and config.max_file_size == 1000
    assert config.per_file_ignores["scripts/**"] == ("n-plus-one-query",)
    assert config.rule_options("n-plus-one-query", {"include-tests": False, "x": 1}) == {"include-tests": True, "x": 1}


def test_dedicated_file_wins_and_is_found_from_a_subdirectory(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.perfrewrite]\nfail-on = "error"\n')
    (tmp_path / ".perfrewrite.toml").write_text('fail-on = "warning"\n')
    (tmp_path / "sub").mkdir()
    assert load_config(tmp_path / "sub").fail_on == "warning"


def test_pyproject_without_table_gives_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(tmp_path).select == ()


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"selct": ["x"]}, "'selct'"),
        ({"rules": {"n-plus-one-query": {"include-test": True}}}, "rules.n-plus-one-query.include-test"),
        ({"rules": {"no-such-rule": {}}}, "rules.no-such-rule"),
        ({"select": ["no-such-rule"]}, "no-such-rule"),
        ({"fail-on": "fatal"}, "fail-on"),
        ({"max-file-size": -1}, "max-file-size"),
        ({"rules": {"n-plus-one-query": {"include-tests": "yes"}}}, "include-tests"),
    ],
)
def test_bad_configuration_names_the_key(data, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        parse_config(data)


def test_broken_toml_is_a_config_error(tmp_path):
    (tmp_path / ".perfrewrite.toml").write_text("select = [\n")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path)

"""[tool.mllint]: discovery, validation, and how the selection resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint.config import (
    DEFAULT_FLAG_PATTERNS,
    ConfigError,
    Settings,
    apply_overrides,
    find_config,
    load_settings,
)
from tests.conftest import write_tree


def _load(tmp_path: Path, body: str) -> Settings:
    write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\n" + body})
    return load_settings(tmp_path / "pyproject.toml", tmp_path)


def test_every_key(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        """
select = ["ML1", "ml000"]
ignore = ["ML101"]
extend-select = ["ALL"]
exclude = ["legacy/"]
per-file-ignores = { "tests/*" = ["ML1"] }
max-age-days = 30
glue-threshold = 0.5
flag-patterns = ["^feature_"]
glue-modules = ["mycorp.io"]
algorithm-modules = ["mycorp.ops"]
""",
    )
    assert settings.select == ("ML1", "ML000") and settings.ignore == ("ML101",)
    assert settings.extend_select == ("ALL",) and settings.exclude == ("legacy/",)
    assert settings.per_file_ignores == (("tests/*", ("ML1",)),)
    assert (settings.max_age_days, settings.glue_threshold) == (30, 0.5)
    assert settings.flag_patterns == ("^feature_",)
    assert settings.glue_modules == ("mycorp.io",)
    assert settings.algorithm_modules == ("mycorp.ops",)
    assert settings.root == str(tmp_path.resolve())


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path)
    assert settings.select == ("ML",) and settings.max_age_days == 90
    assert settings.glue_threshold == 0.8 and settings.flag_patterns == DEFAULT_FLAG_PATTERNS


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ('select = "ML1"\n', "'select' must be a list of strings, got str"),
        ('select = ["E501"]\n', "unknown rule selector 'E501'"),
        ('select = ["ML9"]\n', "unknown rule selector 'ML9'"),
        ("max-age-days = -1\n", "'max-age-days' must be a non-negative integer"),
        ("max-age-days = true\n", "'max-age-days' must be a non-negative integer, got bool"),
        ("glue-threshold = 2\n", "'glue-threshold' must be a number between 0 and 1"),
        ('flag-patterns = ["(unclosed"]\n', "'flag-patterns': invalid regex '(unclosed'"),
        ('per-file-ignores = ["x"]\n', "'per-file-ignores' must be a table"),
        ('per-file-ignores = { "a" = "ML1" }\n', "'a' must map to a list of codes"),
        ("exclude = [1]\n", "'exclude' must be a list of strings, got list"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        _load(tmp_path, body)
    assert str(error.value).startswith(str(tmp_path / "pyproject.toml") + ": ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_mllint_table_that_is_not_a_table(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool]\nmllint = 3\n"})
    with pytest.raises(ConfigError, match=r"\[tool.mllint\] must be a table"):
        load_settings(tmp_path / "pyproject.toml", tmp_path)


def test_nearest_pyproject_with_a_mllint_table(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\n",
            "pkg/pyproject.toml": "[project]\nname = 'x'\n",
            "pkg/sub/a.py": "",
        },
    )
    assert find_config([tmp_path / "pkg" / "sub" / "a.py"]) == tmp_path.resolve() / "pyproject.toml"
    write_tree(tmp_path, {"pkg/pyproject.toml": "[tool.mllint]\nselect = ['ML1']\n"})
    assert find_config([tmp_path / "pkg" / "sub"]) == tmp_path.resolve() / "pkg" / "pyproject.toml"


def test_selection_most_specific_wins() -> None:
    settings = Settings(select=("ML1",), ignore=("ML101",))
    assert not settings.is_enabled("ML101") and settings.is_enabled("ML102")
    assert not settings.is_enabled("ML000")
    settings = Settings(select=("ML101",), ignore=("ML1",))
    assert settings.is_enabled("ML101") and not settings.is_enabled("ML102")
    assert Settings(select=("ALL",)).is_enabled("ML301")
    assert not Settings(select=("ML1",), ignore=("ML1",)).is_enabled("ML101")  # tie: ignore


def test_overrides() -> None:
    base = Settings(select=("ML1",), ignore=("ML102",), extend_select=("ML0",))
    assert apply_overrides(base, {"select": ("ML2",)}).select == ("ML2",)
    extended = apply_overrides(base, {"extend_select": ("ML3",), "extend_ignore": ("ML103",)})
    assert extended.extend_select == ("ML0", "ML3") and extended.ignore == ("ML102",)
    assert extended.extend_ignore == ("ML103",) and not extended.is_enabled("ML103")
    replaced = apply_overrides(base, {"ignore": ("ML104",), "extend_ignore": ("ML105",)})
    assert replaced.ignore == ("ML104",) and replaced.extend_ignore == ("ML105",)
    assert not replaced.is_enabled("ML104") and not replaced.is_enabled("ML105")


def test_analysis_key_ignores_selection() -> None:
    assert Settings().analysis_key() == Settings(select=("ML1",)).analysis_key()
    assert Settings().analysis_key() != Settings(flag_patterns=("x",)).analysis_key()

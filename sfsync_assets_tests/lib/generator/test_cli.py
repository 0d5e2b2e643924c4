"""The `generate` command: options, progress lines, rates overrides and usage errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sfsync_assets.lib.generator.cli import generate
from sfsync_assets.lib.generator.rates import DATA_LOSING, MOST_PER_RECORD


def test_generate_then_mutate_from_the_command_line(tmp_path: Path) -> None:
    rates = tmp_path / "rates.yaml"
    rates.write_text("duplicate_in_system: 0.5\nmojibake: 0\norphan_lookup: 0.2\n", encoding="utf-8")
    out_dir = tmp_path / "company"
    runner = CliRunner()
    result = runner.invoke(
        generate,
        [
            *("--scale", "3000", "--seed", "9", "--out", str(out_dir), "--no-salesforce"),
            *("--rates", str(rates), "--bad-row-rate", "0.03"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("plan: scale 3,000") and lines[-1].startswith("done: ")
    assert any(line.startswith("erp: customers ") for line in lines)
    manifest = json.loads((out_dir / "truth" / "manifest.json").read_text(encoding="utf-8"))
    assert 2_700 <= manifest["total_records"] <= 3_300
    duplicates = manifest["planted_rates"]["duplicate_in_system"]
    assert duplicates["configured"] == 0.5 and 0.4 < duplicates["realised"] < 0.6
    assert manifest["planted_rates"]["mojibake"]["hits"] == 0
    # --bad-row-rate sets every data-losing kind, over what the rates file says of them
    for kind in DATA_LOSING:
        assert manifest["rates"][kind] == 0.03 / MOST_PER_RECORD, kind

    result = runner.invoke(
        generate, ["--mutate", "2", "--seed", "1", "--out", str(out_dir), "--no-salesforce"]
    )
    assert result.exit_code == 0, result.output
    assert "mutate day 1:" in result.output
    assert (out_dir / "truth" / "mutations.csv").exists()


def test_usage_errors_are_reported_not_raised(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(generate, ["--scale", "1000", "--mutate", "1", "--out", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one of" in both.output
    nothing_to_mutate = runner.invoke(generate, ["--mutate", "1", "--out", str(tmp_path), "--no-salesforce"])
    assert nothing_to_mutate.exit_code == 1 and "missing truth/manifest.json" in nothing_to_mutate.output
    bad_rates = tmp_path / "bad.yaml"
    bad_rates.write_text("duplicates: 0.1\n", encoding="utf-8")
    unknown = runner.invoke(
        generate,
        ["--scale", "1000", "--out", str(tmp_path / "x"), "--no-salesforce", "--rates", str(bad_rates)],
    )
    assert unknown.exit_code == 1 and "unknown rate(s) ['duplicates']" in unknown.output
    no_emulator = runner.invoke(
        generate,
        [
            "--scale",
            "1000",
            "--out",
            str(tmp_path / "y"),
            "--emulator-state-dir",
            str(tmp_path / "no-emulator"),
        ],
    )
    assert no_emulator.exit_code == 1 and "cannot reach the emulator" in no_emulator.output
    assert not (tmp_path / "y").exists()  # refused before generating anything

"""The batch runner under faults: Ctrl-C, a killed runner, leftovers, deleted scenarios, report sets,
and warm kernels that give the same report whether a scenario runs first or after others (issue 12).

Each test builds a small project folder (the notebooks, the pricebook, a few scenarios) so it can kill
runs and delete files without touching the repository.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from costlib import runner

ROOT = Path(__file__).resolve().parents[1]
COSTBOOK = Path(sys.executable).with_name("costbook")

pytestmark = pytest.mark.scenario


def make_project(tmp_path: Path, scenarios: list[str]) -> Path:
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copy(ROOT / "params" / "pricebook.yaml", project / "params" / "pricebook.yaml")
    for name in scenarios:
        source = ROOT / "params" / f"{name}.yaml"
        target = project / "params" / name.split("/")[0] / source.name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(source, target)
    return project


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working folder is ``folder`` (workers and kernels of a run there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == folder:
                state = (entry / "stat").read_text().split(")")[-1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


def hidden_entries(outputs: Path) -> list[Path]:
    return [p for p in outputs.rglob(".*")]


UNIT = ["unit_economics/streaming_margin", "unit_economics/beta_negative_margin",
        "unit_economics/chatty_cross_az", "unit_economics/small_object_requests",
        "unit_economics/tenant_tier_pricing", "unit_economics/launch_gate_cost_per_dau",
        "unit_economics/budget_overrun_drivers"]


@pytest.mark.parametrize("target", ["runner", "group"])
def test_ctrl_c_stops_the_run_kills_kernels_writes_the_index_and_leaves_no_temp_files(tmp_path, target):
    """SIGINT to the runner alone, and to its whole process group as Ctrl-C in a terminal sends it."""
    project = make_project(tmp_path, UNIT + ["tco/managed_db_vs_self_hosted_cassandra", "tco/storage_hot_90_days"])
    outputs = project / "outputs"
    proc = subprocess.Popen([str(COSTBOOK), "run", "--no-progress", "-j", "2"], cwd=project,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    # Interrupt once the first report is written, while others are running and queued.
    assert wait_until(lambda: list(outputs.glob("*/*.json")), timeout=240), "no report was ever written"
    if target == "group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    # how fast it stops is measured by benchmarks/interrupt_latency.py; here only that it stops (a wait
    # for a hang, not a timing)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 130, err

    written = sorted(f"{p.parent.name}/{p.stem}" for p in outputs.glob("*/*.json"))
    lines = err.splitlines()
    not_run = sorted(line.split()[2].rstrip(":") for line in lines if line.startswith("NOT RUN "))
    assert len(written) + len(not_run) == 9, err
    assert not set(written) & set(not_run)
    assert "Traceback" not in err, err
    summary = lines[-1]
    assert f"{len(written)} reports written, 0 failed, 0 invalid, {len(not_run)} not run (interrupted)" in summary
    # The index lists exactly what completed; every listed report is a whole set.
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r"href='([a-z_]+/[a-z0-9_]+)\.html'", index)) == written
    for name in written:
        data = json.loads((outputs / f"{name}.json").read_text(encoding="utf-8"))
        for member in [f"{Path(name).name}.html", f"{Path(name).name}.ipynb", *data["charts"]]:
            assert (outputs / Path(name).parent / member).is_file(), member
    # No temporary files, no process left behind (kernels exit with their worker).
    assert hidden_entries(outputs) == []
    assert wait_until(lambda: not processes_in(project), timeout=3), processes_in(project)


def test_a_killed_runner_takes_its_workers_and_kernels_and_the_next_run_cleans_up(tmp_path):
    project = make_project(tmp_path, UNIT[:4])
    outputs = project / "outputs"
    proc = subprocess.Popen([str(COSTBOOK), "run", "--no-progress", "-j", "2"], cwd=project,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    assert wait_until(lambda: len(processes_in(project)) >= 3, timeout=120)  # runner, workers, kernels
    assert wait_until(lambda: list(outputs.glob(".costbook-*.tmp")), timeout=60)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group: runner and workers (kernels have own sessions)
    proc.wait(timeout=10)
    assert wait_until(lambda: not processes_in(project), timeout=5), "workers or kernels outlived the runner"
    leftovers = hidden_entries(outputs)
    # An older runner's temporary folder, left long ago, goes too.
    legacy = outputs / "unit_economics" / ".streaming_margin.ab12cd34"
    legacy.mkdir(parents=True)
    (legacy / "streaming_margin.ipynb").write_text("{}")
    old = time.time() - 3600
    os.utime(legacy, (old, old))
    log = io.StringIO()
    assert runner.run([str(project / "params" / "unit_economics" / "streaming_margin.yaml")],
                      outputs_dir=str(outputs), progress=False, stream=log, root=project) == 0, log.getvalue()
    assert hidden_entries(outputs) == [], (leftovers, hidden_entries(outputs))


def test_killing_only_the_runner_process_ends_its_workers(tmp_path):
    project = make_project(tmp_path, UNIT[:3])
    proc = subprocess.Popen([str(COSTBOOK), "run", "--no-progress", "-j", "2"], cwd=project,
                            stderr=subprocess.DEVNULL)
    assert wait_until(lambda: len(processes_in(project)) >= 3, timeout=120)
    proc.kill()
    proc.wait(timeout=10)
    assert wait_until(lambda: not processes_in(project), timeout=5), "workers or kernels outlived the runner"


def test_deleted_scenarios_leave_the_index_and_a_set_is_replaced_whole(tmp_path):
    project = make_project(tmp_path, ["unit_economics/streaming_margin", "unit_economics/chatty_cross_az"])
    outputs = project / "outputs"
    log = io.StringIO()
    assert runner.run(None, outputs_dir=str(outputs), progress=False, stream=log, root=project) == 0, log.getvalue()
    folder = outputs / "unit_economics"
    # A chart the next report of this scenario no longer has must not linger beside the new set.
    data = json.loads((folder / "streaming_margin.json").read_text())
    data["charts"].append("streaming_margin.retired_chart.svg")
    (folder / "streaming_margin.json").write_text(json.dumps(data))
    (folder / "streaming_margin.retired_chart.svg").write_text("<svg/>")
    (project / "params" / "unit_economics" / "chatty_cross_az.yaml").unlink()

    log = io.StringIO()
    assert runner.run(None, outputs_dir=str(outputs), progress=False, stream=log, root=project) == 0, log.getvalue()
    assert "REMOVED unit_economics/chatty_cross_az: its params file no longer exists" in log.getvalue()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("chatty")) == []
    assert not (folder / "streaming_margin.retired_chart.svg").exists()
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert "chatty_cross_az" not in index and "unit_economics/streaming_margin.html" in index


def _normalised(text: str) -> str:
    """A report without what legitimately changes run to run: times and durations."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?", "<time>", text)
    text = re.sub(r'"duration": [0-9.e-]+', '"duration": <d>', text)
    return text


def test_a_scenario_gives_the_same_report_first_or_after_others_in_the_same_worker(tmp_path):
    """One worker: the scenario runs alone in a fresh kernel, then last after three others in the same
    kernel. Every file of the report set is the same, byte for byte, up to timestamps."""
    others = ["tco/managed_db_vs_self_hosted_cassandra", "build_vs_buy/analytics_price_hike",
              "capex_opex/ten_million_cluster"]
    project = make_project(tmp_path, ["unit_economics/chatty_cross_az", *others])
    target = project / "params" / "unit_economics" / "chatty_cross_az.yaml"
    first, later = project / "out_first", project / "out_later"
    log = io.StringIO()
    assert runner.run([str(target)], outputs_dir=str(first), jobs=1, progress=False, stream=log,
                      root=project) == 0, log.getvalue()
    order = [str(project / "params" / f"{name}.yaml") for name in others] + [str(target)]
    log = io.StringIO()
    assert runner.run(order, outputs_dir=str(later), jobs=1, progress=False, stream=log,
                      root=project) == 0, log.getvalue()
    a = sorted(p.name for p in (first / "unit_economics").iterdir())
    b = sorted(p.name for p in (later / "unit_economics").iterdir())
    assert a == b and len(a) >= 5
    for name in a:
        x = _normalised(_text(first / "unit_economics" / name).replace(str(first), "<out>"))
        y = _normalised(_text(later / "unit_economics" / name).replace(str(later), "<out>"))
        assert x == y, name


def _text(path) -> str:
    """A report file as text: PNG as its bytes in hex, xlsx (a zip) as its members' XML in order."""
    if path.suffix == ".png":
        return path.read_bytes().hex()
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as z:
            return "\n".join(f"{i.filename} {i.date_time}\n{z.read(i).decode()}" for i in z.infolist())
    return path.read_text(encoding="utf-8")

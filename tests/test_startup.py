"""Start-up: commands import only what they use, and checked flows are cached.

``list`` and ``validate`` check flows against the probe manifest
(wizard/probes/manifest.json), not the probe implementations; ``run`` imports
the module of a probe when a step runs it; a flow loaded and checked once is
read back from the user's cache folder.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.servers.smtp_fixtures import SmtpServers
from wizard.flow import cache
from wizard.flow.loader import load_flow
from wizard.flow.model import Flow
from wizard.flow.sources import flow_sources, library_bytes
from wizard.probes.manifest import MANIFEST_PATH, LazyProbes, manifest_text, probe_infos
from wizard.probes.registry import PROBES

IMPLEMENTATION_CHECK = (
    "import sys\n"
    "impl = sorted(m for m in sys.modules if m.split('.')[0] in ('dns', 'ssl', 'textual')\n"
    "              or (m.startswith('wizard.probes.')\n"
    "                  and m not in ('wizard.probes.base', 'wizard.probes.manifest'))\n"
    "              or m.startswith('wizard.catalog'))\n"
)


def cached_tcp_port(cache_dir: Path, monkeypatch: pytest.MonkeyPatch
                    ) -> tuple[Path, bytes, Flow, Path]:
    """tcp-port loaded once, so cached in ``cache_dir``: its path, cache key content,
    checked flow and entry."""
    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(cache_dir))
    path = ROOT / "flows" / "tcp-port.yaml"
    content = cache.key_content(path)
    assert content is not None
    return path, content, load_flow(path), cache.entry_path(content)


def run_python(code: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "EMAIL_WIZARD_CACHE_DIR": str(cache_dir),
           "EMAIL_WIZARD_CONFIG_DIR": str(cache_dir / "config")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.parametrize("argv", [["list"], ["list", "--json"],
                                  ["validate", "flows/dkim-needs-attention.yaml"]])
def test_list_and_validate_import_no_probe_implementation(tmp_path: Path,
                                                          argv: list[str]) -> None:
    code = ("from wizard.cli import main\n"
            f"assert main({argv!r}) == 0\n" + IMPLEMENTATION_CHECK +
            "assert not impl, impl\n")
    cold = run_python(code, tmp_path)
    assert cold.returncode == 0, cold.stderr
    warm = run_python(code + "assert 'yaml' not in sys.modules or "
                      f"{argv[0]!r} == 'validate', 'the cache was not used'\n", tmp_path)
    assert warm.returncode == 0, warm.stderr


def test_run_imports_only_the_probes_its_steps_run(tmp_path: Path, closed_port: int) -> None:
    code = ("from wizard.cli import main\n"
            f"main(['run', 'tcp-port', '--set', 'host=127.0.0.1', '--set', "
            f"'port={closed_port}', '--json'])\n" + IMPLEMENTATION_CHECK +
            "assert 'wizard.probes.tcp_connect' in impl, impl\n"
            "assert not [m for m in sys.modules if m.startswith(('httpx', 'httpcore'))], "
            "'dnspython loaded its DNS-over-HTTPS client'\n"
            "assert not [m for m in impl if m.startswith(('wizard.probes.dkim_record', "
            "'wizard.probes.smtp', 'wizard.catalog'))], impl\n")
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["trail"][0]["outcome"] == "refused"


def test_a_healthy_port_check_of_an_address_imports_no_resolver_no_x509_no_apply(
        tmp_path: Path, smtp_servers: SmtpServers) -> None:
    """``run port-connectivity`` against a literal address: nothing to look up in DNS, a
    verified certificate told from the ssl module's decoding, no fix to apply — so neither
    dnspython's resolver, nor cryptography's X.509, nor the postconf apply machinery loads."""
    code = ("from wizard.cli import main\n"
            "main(['run', 'port-connectivity', '--set', 'host=127.0.0.1', '--set', "
            f"'ports={smtp_servers.submission}', '--ca-file', {smtp_servers.ca_file!r}, "
            "'--json'])\n"
            "import sys\n"
            "loaded = [m for m in ('dns.resolver', 'dns.asyncresolver', 'wizard.probes.mx_lookup',"
            " 'cryptography.x509', 'wizard.fixes.apply_postconf') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    cold = run_python(code, tmp_path)
    assert cold.returncode == 0, cold.stderr
    result = run_python(code + "assert 'yaml' not in sys.modules, 'the cache was not used'\n",
                        tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "healthy"
    assert out["trail"][2]["facts"]["smtp.cert_subject"].startswith("OU=")


def test_the_committed_manifest_matches_the_registry() -> None:
    assert MANIFEST_PATH.read_text(encoding="utf-8") == manifest_text(), (
        "regenerate with: python -m wizard.probes.manifest")


def test_the_manifest_describes_each_probe_as_its_spec_does() -> None:
    infos = probe_infos()
    assert set(infos) == set(PROBES)
    for name, spec in PROBES.items():
        info = infos[name]
        assert dict(info.outcomes) == dict(spec.outcomes)
        assert dict(info.param_fields()) == dict(spec.param_fields())
        for outcome in (None, *spec.outcomes):
            assert info.facts_for(outcome) == spec.facts_for(outcome)
        assert LazyProbes()[name] is spec


@pytest.mark.parametrize("source", flow_sources(), ids=lambda s: s.path.name)
def test_a_cached_flow_equals_the_checked_one(source, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(tmp_path))
    checked = load_flow(source.path)
    key = cache.key_content(source.path)
    assert key is not None and cache.entry_path(key).exists()
    stored = cache.cached_flow(key)  # as stored: its sub-flows are attached when it loads
    assert stored is not None and stored.model_dump() == checked.model_dump()
    assert load_flow(source.path) == checked


def test_a_changed_fix_library_makes_a_cached_flow_stale(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A flow that uses a library fix is cached with the library's bytes in its key."""
    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(tmp_path / "cache"))
    flow = ROOT / "flows" / "dkim-needs-attention.yaml"
    before = cache.key_content(flow)
    assert before is not None and library_bytes(flow) in before
    load_flow(flow)
    assert cache.cached_flow(before) is not None
    user_fixes = tmp_path / "config" / "flows" / "fixes"
    user_fixes.mkdir(parents=True)
    (user_fixes / "mine.yaml").write_text("kind: fixes\nversion: 1\nfixes: {}\n")
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    after = cache.key_content(flow)
    assert after is not None and after != before
    assert cache.cached_flow(after) is None


def test_a_corrupt_or_foreign_entry_is_ignored_and_rewritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.data import user_cache

    path, content, checked, entry = cached_tcp_port(tmp_path, monkeypatch)
    version = cache.__version__
    for corrupt in (b"{not a pickle", pickle.dumps([]), pickle.dumps({"version": "0.0.0"}),
                    pickle.dumps({"version": version, "flow": b"junk"}),
                    pickle.dumps({"version": version, "flow": pickle.dumps(3)}),
                    pickle.dumps({"version": version, "flow": pickle.dumps(checked)})[:-9]):
        for sealed in (corrupt, user_cache._sealed(corrupt)):
            entry.write_bytes(sealed)
            assert cache.cached_flow(content) is None
        assert load_flow(path) == checked
        assert cache.cached_flow(content) == checked, "the entry was rewritten"


class _Planted:
    """Unpickles as a call of ``os.mkdir`` — what a planted cache entry could try."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.mkdir, (str(self.target),)


def test_a_planted_entry_builds_nothing_but_flow_models(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries are pickles read with a restricted unpickler: an entry (or a flow inside
    one) that names any other callable — here ``os.mkdir`` — or a model of another module
    is refused, and nothing it names runs, even with a matching seal."""
    from wizard.data import user_cache
    from wizard.settings import Settings

    path, content, checked, entry = cached_tcp_port(tmp_path / "cache", monkeypatch)
    version = cache.__version__
    target = tmp_path / "planted"
    for planted in (pickle.dumps(_Planted(target)),
                    pickle.dumps({"version": version, "flow": pickle.dumps(_Planted(target))}),
                    pickle.dumps({"version": version, "listing": _Planted(target)}),
                    pickle.dumps({"version": version,
                                  "flow": pickle.dumps(Settings.model_construct())})):
        entry.write_bytes(user_cache._sealed(planted))  # sealed: the unpickler reads it
        assert cache.cached_flow(content) is None
        assert cache.cached_listing(content) is None
        assert not target.exists(), "the planted entry ran os.mkdir"
    assert load_flow(path) == checked


@pytest.mark.parametrize("kind", ["writable by others", "a FIFO", "too large"])
def test_an_entry_that_is_not_the_users_own_regular_file_is_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Only a regular file of the user's, which nobody else may write, is read (a FIFO in
    its place never blocks the wizard), and none larger than the largest entry there is."""
    import os

    from wizard.data import user_cache

    _path, content, _checked, entry = cached_tcp_port(tmp_path, monkeypatch)
    assert cache.cached_flow(content) is not None
    if kind == "writable by others":
        entry.chmod(0o666)
    elif kind == "a FIFO":
        entry.unlink()
        os.mkfifo(entry)
    else:
        monkeypatch.setattr(user_cache, "MAX_ENTRY_BYTES", entry.stat().st_size - 1)
    assert cache.cached_flow(content) is None
    assert cache.cached_listing(content) is None


def test_a_warm_run_builds_no_validator_for_flows_or_profiles(tmp_path: Path,
                                                               closed_port: int) -> None:
    """A flow and a provider profile read back from the cache are the checked objects
    themselves (no JSON through pydantic: that built every flow model's validator, a sixth
    of a warm ``run``); the default settings are not validated either. (Findings and
    fixes are: their texts are rendered with the run's values.)"""
    code = ("import io, contextlib\n"
            "from wizard.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['run', 'port-connectivity', '--set', 'host=127.0.0.1', '--set', "
            f"'ports={closed_port}', '--json'])\n"
            "from wizard.flow.model import Flow, ProbeStep\n"
            "from wizard.providers.model import Provider\n"
            "from wizard.settings import Settings\n"
            "print([m.__name__ for m in (Flow, ProbeStep, Provider, Settings)\n"
            "       if m.__pydantic_complete__])\n")
    cold = run_python(code, tmp_path)
    warm = run_python(code, tmp_path)
    assert cold.returncode == 0 and warm.returncode == 0, (cold.stderr, warm.stderr)
    assert "Flow" in cold.stdout and "Provider" in cold.stdout
    assert warm.stdout.strip() == "[]"


def test_another_version_never_reads_this_versions_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _path, content, _checked, _entry = cached_tcp_port(tmp_path, monkeypatch)
    monkeypatch.setattr(cache, "__version__", "999.0")
    assert cache.cached_flow(content) is None


def test_a_flow_that_runs_sub_flows_is_cached_and_a_changed_sub_flow_makes_it_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flow with sub-flows is read back from the cache, its sub-flows attached, without
    YAML (such flows were never cached: since undelivered-mail runs sub-flows, every
    ``list`` parsed and checked it again); a sub-flow file that changes — here so that the
    caller's ``with:`` no longer fits — makes the caller's entry stale."""
    from tests.test_engine_language import CHILD, PARENT
    from wizard.data import strict_load
    from wizard.data.diagnostics import DataFileError

    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "child.yaml").write_text(CHILD)
    parent = folder / "parent.yaml"
    parent.write_text(PARENT)
    checked = load_flow(parent)
    child = checked.subflow("child")
    assert child is not None and child.id == "child"

    def no_yaml(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed the YAML again")

    with monkeypatch.context() as patched:
        patched.setattr(strict_load, "read_located", no_yaml)
        again = load_flow(parent)
    assert again == checked and again.subflow("child") == child
    (folder / "child.yaml").write_text(CHILD.replace("host: {type: host, required: true}",
                                                     "relay: {type: host, required: true}"))
    with pytest.raises(DataFileError, match="host"):
        load_flow(parent)


def test_a_warm_list_builds_no_flow_model(tmp_path: Path) -> None:
    """``list`` reads each flow's listing from its cache entry: no pydantic, no flow model,
    no YAML — and prints what a cold ``list`` prints."""
    code = ("import io, contextlib, sys\n"
            "from wizard.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    assert main(['list', '--json']) == 0\n"
            "print(out.getvalue())\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pydantic', 'yaml') or m == 'wizard.flow.model'))\n")
    cold = run_python(code, tmp_path)
    warm = run_python(code, tmp_path)
    assert cold.returncode == 0 and warm.returncode == 0, (cold.stderr, warm.stderr)
    assert warm.stdout.split("LOADED")[0] == cold.stdout.split("LOADED")[0]
    assert "'wizard.flow.model'" in cold.stdout.split("LOADED")[1]
    assert warm.stdout.split("LOADED")[1].strip() == "[]"


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(blocker / "cache"))
    assert load_flow(ROOT / "flows" / "tcp-port.yaml").id == "tcp-port"


def test_the_cache_lives_in_the_xdg_cache_folder(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.delenv("EMAIL_WIZARD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "email-wizard" / "flows"


def test_a_provider_profile_is_read_once_until_its_file_changes(tmp_path: Path) -> None:
    from wizard.providers.loader import load_provider

    bundled = ROOT / "flows" / "providers" / "oci.yaml"
    copy = tmp_path / "oci.yaml"
    copy.write_bytes(bundled.read_bytes())
    first = load_provider(copy)
    assert load_provider(copy) is first, "a scan asks for the profile once per domain"
    copy.write_text(bundled.read_text().replace("Oracle", "Orakel", 1) + "\n")
    assert load_provider(copy) is not first


def test_a_provider_profile_is_cached_on_disk_like_a_flow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile checked once is read back from the cache folder by the next process (here:
    after forgetting the in-process copies), equal to the checked one, without YAML; a
    changed file or a corrupt entry is loaded and checked again."""
    from wizard.providers import loader

    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "oci.yaml"
    copy.write_bytes((ROOT / "flows" / "providers" / "oci.yaml").read_bytes())
    checked = loader.load_provider(copy)
    entries = list((tmp_path / "cache").glob("provider-*.profile"))
    assert len(entries) == 1

    def no_yaml(raw: bytes, name: str) -> None:
        raise AssertionError("parsed the YAML again")

    loader._LOADED.clear()
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_checked", no_yaml)
        assert loader.load_provider(copy) == checked
    entries[0].write_bytes(b"{not a pickle")
    loader._LOADED.clear()
    assert loader.load_provider(copy) == checked
    copy.write_text(copy.read_text().replace("Oracle", "Orakel", 1))
    loader._LOADED.clear()
    assert loader.load_provider(copy) != checked
    assert len(list((tmp_path / "cache").glob("provider-*.profile"))) == 2


def test_a_provider_profile_with_a_defect_is_never_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.data.diagnostics import DataFileError
    from wizard.providers.loader import load_provider

    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "flows" / "providers" / "oci.yaml").read_text() + "\nnonsense: 1\n")
    for _ in range(2):
        with pytest.raises(DataFileError):
            load_provider(bad)
    assert not list((tmp_path / "cache").glob("provider-*"))


def test_the_command_exits_quickly_with_its_status_and_all_its_output(tmp_path: Path,
                                                                     closed_port: int) -> None:
    """``python -m wizard`` ends with ``os._exit`` once its output is flushed and the exit
    handlers have run: the status is the command's, every byte of a long output arrives
    through a pipe, and what it prints equals what :func:`main` prints in-process."""
    from io import StringIO

    from wizard.cli import main

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "EMAIL_WIZARD_CACHE_DIR": str(tmp_path), "EMAIL_WIZARD_CONFIG_DIR": str(tmp_path)}
    markdown = subprocess.run([sys.executable, "-m", "wizard", "probes", "--markdown"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    expected = StringIO()
    assert main(["probes", "--markdown"], stdout=expected) == 0
    assert markdown.returncode == 0 and markdown.stdout == expected.getvalue()
    assert len(markdown.stdout) > 50_000, "long enough to need several writes"
    refused = subprocess.run([sys.executable, "-m", "wizard", "run", "tcp-port", "--set",
                              "host=127.0.0.1", "--set", f"port={closed_port}", "--json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert refused.returncode == 1, refused.stderr
    assert json.loads(refused.stdout)["trail"][0]["outcome"] == "refused"


def test_the_collector_is_back_on_once_a_run_starts_its_probes(tmp_path: Path,
                                                              closed_port: int) -> None:
    """The command starts with the cyclic garbage collector off (start-up makes no garbage
    worth collecting); a run switches it back on before its probes, so a long run's
    memory is collected as before."""
    code = ("import gc, io, contextlib\n"
            "gc.disable()\n"
            "from wizard.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['run', 'tcp-port', '--set', 'host=127.0.0.1', '--set', "
            f"'port={closed_port}'])\n"
            "print(gc.isenabled())\n")
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(("argv", "status"), [(["list"], 3), (["--version"], 0)])
def test_a_closed_stdout_is_no_traceback(tmp_path: Path, argv: list[str], status: int) -> None:
    """``email-wizard list >&-``: the quick exit flushed ``sys.stdout``, which is None when
    the descriptor was closed at start — a traceback and exit 1 ("a problem was
    diagnosed"), where the command says why with exit 3 (``--version``: 0) (review)."""
    import os

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
           "EMAIL_WIZARD_CACHE_DIR": str(tmp_path / "cache"),
           "EMAIL_WIZARD_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "wizard", *argv], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: os.close(1))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == status, result.stderr


def _unchecked_flow(state: dict[str, object]) -> bytes:
    """A pickled ``Flow`` whose fields are ``state``, never validated."""
    from wizard.flow.model import Flow

    flow = Flow.__new__(Flow)
    object.__setattr__(flow, "__dict__", state)
    object.__setattr__(flow, "__pydantic_fields_set__", set(state))
    object.__setattr__(flow, "__pydantic_extra__", None)
    object.__setattr__(flow, "__pydantic_private__", None)
    return pickle.dumps(flow, protocol=pickle.HIGHEST_PROTOCOL)


def _shared_bomb() -> object:
    """A few hundred bytes of pickle that stand for 2**40 strings (one list shared)."""
    shared: object = "x" * 10
    for _ in range(40):
        shared = [shared, shared]
    return shared


@pytest.mark.parametrize("planted", ["flow without steps", "steps not a mapping",
                                     "shared-list title", "shared-list listing",
                                     "9-byte memo bomb"])
def test_an_entry_the_wizard_did_not_seal_is_a_miss(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port: int,
        planted: str) -> None:
    """Entries carry the SHA-256 of their bytes: an entry written by anything but the
    wizard — corrupt, truncated, or planted with a flow of unchecked state that ended
    every later run with exit 3, a shared list that hung ``run`` and ``list --json``, a
    memo index that made the unpickler zero 256 MiB — is a miss, read no further, and
    rewritten (review)."""
    import struct

    _path, content, checked, entry = cached_tcp_port(tmp_path / "cache", monkeypatch)
    data = {"version": cache.__version__, "flow": pickle.dumps(checked),
            "listing": checked.listing()}
    if planted == "flow without steps":
        data["flow"] = _unchecked_flow({})
    elif planted == "steps not a mapping":
        data["flow"] = _unchecked_flow({**checked.__dict__, "steps": 42})
    elif planted == "shared-list title":
        data["flow"] = _unchecked_flow({**checked.__dict__, "title": _shared_bomb()})
    elif planted == "shared-list listing":
        data["listing"] = {**checked.listing(), "title": _shared_bomb()}
    raw = (b"\x80\x05N" + b"r" + struct.pack("<I", 1 << 24) + b"." if planted.startswith("9")
           else pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    entry.write_bytes(raw)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
           "EMAIL_WIZARD_CACHE_DIR": str(tmp_path / "cache"),
           "EMAIL_WIZARD_CONFIG_DIR": str(tmp_path / "config")}
    for argv in (["list", "--json"], ["run", "tcp-port", "--set", "host=127.0.0.1", "--set",
                                      f"port={closed_port}", "--json"]):
        result = subprocess.run([sys.executable, "-m", "wizard", *argv], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == (0 if argv[0] == "list" else 1), result.stderr
        assert "unexpected error" not in result.stderr
    assert entry.read_bytes() != raw and cache.cached_flow(content) == checked, \
        "the entry was rewritten"


def test_one_changed_byte_of_a_sealed_entry_makes_it_a_miss(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _path, content, checked, entry = cached_tcp_port(tmp_path, monkeypatch)
    genuine = entry.read_bytes()
    for at in (len(genuine) - 2, len(genuine) // 2):
        entry.write_bytes(genuine[:at] + bytes([genuine[at] ^ 1]) + genuine[at + 1:])
        assert cache.cached_flow(content) is None
    entry.write_bytes(genuine[:-1])
    assert cache.cached_flow(content) is None
    entry.write_bytes(genuine)
    assert cache.cached_flow(content) == checked


def test_a_change_to_the_code_a_cached_model_is_made_of_makes_it_stale(tmp_path: Path) -> None:
    """A cached flow holds instances of the flow and fix models: a change to their
    modules (or to pydantic, or Python) gives other keys, so an entry of the old classes
    is never read (the key covered only the flow model's file) (review)."""
    from wizard.data.user_cache import code_digest

    model = tmp_path / "vocabulary.py"
    model.write_text("class Fix: ...\n")
    before = code_digest(model)
    model.write_text("class Fix:\n    new_field: int\n")
    assert code_digest(model) != before
    wizard_dir = ROOT / "wizard"
    assert cache.cache_key(b"flow") != "" and code_digest(
        wizard_dir / "fixes" / "vocabulary.py") != code_digest(wizard_dir / "flow" / "model.py")

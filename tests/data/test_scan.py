from datafiles import pattern, save, write_bad_files, write_odd_files

from cgtk.data import scan as scan_module
from cgtk.data.scan import scan


def test_scan_splits_good_and_bad(tmp_path):
    bad = write_bad_files(tmp_path)
    odd = write_odd_files(tmp_path)
    result = scan(sorted(tmp_path.iterdir()))
    assert {p for p, _ in result.bad} == {str(p) for p in bad.values()}
    assert {g.path for g in result.good} == set(odd.values())
    assert result.total == len(bad) + len(odd)
    assert all(reason for _, reason in result.bad)


def test_scan_cache_is_used_and_invalidated(tmp_path, monkeypatch, cgtk_home):
    path = save(tmp_path / "a.png", pattern(10, 12))
    assert scan([path]).good[0].width == 12
    assert list((cgtk_home / "scans").glob("*.json"))
    calls = []
    monkeypatch.setattr(scan_module, "probe", lambda p, cap=None: calls.append(p) or {"ok": False,
                                                                             "reason": "x"})
    assert scan([path]).good[0].width == 12 and calls == []  # served from the cache
    save(path, pattern(10, 14))  # changed file: size differs -> rescanned
    assert scan([path]).bad and calls == [path]

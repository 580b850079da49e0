"""cgtk.progress: rich's bar with an ETA on a terminal, plain lines in a log."""
import io

from rich.console import Console

from cgtk.progress import ProgressBar


def _plain():
    out = io.StringIO()
    return out, Console(file=out, width=120)


def test_plain_lines_at_each_tenth_with_eta():
    out, console = _plain()
    with ProgressBar("infer", total=20, console=console) as bar:
        for _ in range(20):
            bar.advance()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("infer: 1/20 images (5%)") and "ETA" in lines[0]  # the first
    assert lines[1].startswith("infer: 2/20 images (10%)")
    assert len(lines) == 11 and lines[-1].startswith("infer: 20/20 images, done in")


def test_unknown_total_grows_and_bytes_unit():
    out, console = _plain()
    with ProgressBar("eval", console=console, every_s=0) as bar:
        bar.add_total(2)
        bar(1)                                   # usable as a progress(n) callback
        bar(1)
    assert out.getvalue().splitlines()[-1].startswith("eval: 2/2 images, done")
    out, console = _plain()
    with ProgressBar("x.zip", total=4096, unit="bytes", console=console) as bar:
        bar.update(completed=4096)
    assert "x.zip: 4.0 KB of 4.0 KB, done in" in out.getvalue()


def test_terminal_gets_the_rich_bar_and_nothing_when_disabled():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with ProgressBar("infer", total=3, console=console, transient=False) as bar:
        bar.advance(3)
    text = out.getvalue()
    assert "3/3" in text and "ETA" in text and "done in" not in text
    out, console = _plain()
    with ProgressBar("x", total=3, console=console, enabled=False) as bar:
        bar.advance(3)
    assert out.getvalue() == ""

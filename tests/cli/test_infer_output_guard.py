"""`cgtk infer` never writes over its inputs, and never reads its own outputs back."""
import pytest
from PIL import Image

from cgtk.cli.main import main


@pytest.fixture
def images(tmp_path):
    root = tmp_path / "images"
    (root / "sub").mkdir(parents=True)
    Image.new("RGB", (24, 16), (200, 30, 30)).save(root / "a.png")
    Image.new("RGB", (16, 16), (30, 200, 30)).save(root / "sub" / "b.png")
    return root


def contents(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def error(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("recursive", [[], ["--recursive"]])
def test_output_equal_to_input_is_refused(toy_run, images, capsys, recursive):
    before = contents(images)
    assert main(["infer", str(toy_run), "--input", str(images), "--output", str(images),
                 "--overwrite", *recursive]) == 1
    assert "is the --input folder" in error(capsys)
    assert contents(images) == before


def test_no_output_lands_on_an_input_file(toy_run, images, capsys):
    before = contents(images)
    # a single input file written into its own folder under its own name
    assert main(["infer", str(toy_run), "--input", str(images / "a.png"),
                 "--output", str(images), "--overwrite"]) == 1
    assert "would replace an input image" in error(capsys)
    # an input folder inside the output folder
    assert main(["infer", str(toy_run), "--input", str(images / "sub"),
                 "--output", str(images), "--overwrite", "--recursive"]) == 1
    assert "is inside --output" in error(capsys)
    assert contents(images) == before


def test_an_output_folder_inside_the_input_is_never_read_back(toy_run, images, capsys):
    out = images / "out"
    args = ["infer", str(toy_run), "--input", str(images), "--output", str(out),
            "--recursive"]
    assert main(args) == 0
    assert "wrote 2 image(s)" in capsys.readouterr().out
    assert sorted(contents(out)) == ["a.png", "sub/b.png"]
    assert main([*args, "--overwrite"]) == 0  # the second run: still the same 2 inputs
    assert "wrote 2 image(s)" in capsys.readouterr().out
    assert sorted(contents(out)) == ["a.png", "sub/b.png"]
    assert not (out / "out").exists()

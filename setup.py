"""Packaging for cgtk and its built-in plugins.

The built-in plugins live under ``plugins/`` as ordinary importable packages and
register through the same ``cgtk.plugins`` entry-point group a third-party
plugin uses: nothing about them is special to the registry.
"""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "cgtk" / "_version.py").read_text(), re.M
).group(1)

BUILTIN_PLUGINS = {
    # entry-point name: "package:attribute"
    "cyclegan": "cgtk_cyclegan:plugin",
    "pix2pix": "cgtk_pix2pix:plugin",
    "srresnet": "cgtk_srresnet:srresnet_plugin",
    "srgan": "cgtk_srresnet:srgan_plugin",
    "style": "cgtk_style:plugin",
    "esrgan": "cgtk_esrgan:esrgan_plugin",
    "realesrgan": "cgtk_esrgan:realesrgan_plugin",
    "cut": "cgtk_cut:cut_plugin",
    "fastcut": "cgtk_cut:fastcut_plugin",
}
plugin_packages = sorted(
    p.name for p in (HERE / "plugins").iterdir() if (p / "__init__.py").exists()
)
plugin_subpackages = [
    f"{pkg}.{sub}" for pkg in plugin_packages
    for sub in find_packages(where=str(HERE / "plugins" / pkg))
]
present = set(plugin_packages)

setup(
    name="cgtk",
    version=VERSION,
    description="Conditional Generative ToolKit: CycleGAN, pix2pix, SRGAN and "
    "fast style transfer as Keras 3 plugins, from the command line",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["cgtk", "cgtk.*"]) + plugin_packages + plugin_subpackages,
    package_dir={pkg: f"plugins/{pkg}" for pkg in plugin_packages},
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.15.1",  # safe_mode fixes; see README's security note
        "typer>=0.12",
        "rich>=13",
        "pillow>=10",
        "numpy",
        "scipy",
        "matplotlib",  # losses.png
        "safetensors",  # cgtk import of .safetensors files (numpy API, no torch)
        "tomli; python_version < '3.11'",
    ],
    extras_require={
        "jax": ["jax>=0.4.30", "jaxlib>=0.4.30"],
        "onnx": ["tf2onnx>=1.17", "onnx", "onnxruntime>=1.20"],
        "test": ["pytest>=7", "pytest-xdist", "jax>=0.4.30", "jaxlib>=0.4.30", "ruff", "import-linter",
                 "tf2onnx>=1.17", "onnx", "onnxruntime>=1.20"],
    },
    entry_points={
        "console_scripts": ["cgtk = cgtk.cli.main:run"],
        "cgtk.plugins": [
            f"{name} = {target}" for name, target in BUILTIN_PLUGINS.items()
            if target.split(":")[0] in present
        ],
    },
    # the report's page template, stylesheet and script (cgtk/report/templates/)
    package_data={"cgtk.report": ["templates/*.html", "templates/*.css", "templates/*.js"]},
    include_package_data=True,
    zip_safe=False,
)

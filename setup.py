"""Map the top-level folders engine/, app/ and resources/ to imgcast.engine, imgcast.app and
imgcast.resources (DESIGN.md: nothing named plainly `engine` or `app` lands in site-packages).

pyproject.toml cannot compute a package list with a prefix, so this is the one place it happens.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def mapped_packages() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for top in ("engine", "app", "resources"):
        if not (HERE / top / "__init__.py").exists():
            continue
        for sub in [""] + find_packages(str(HERE / top)):
            dotted = f"{top}.{sub}" if sub else top
            mapping[f"imgcast.{dotted}"] = dotted.replace(".", "/")
    return mapping


packages = mapped_packages()
setup(
    packages=list(packages),
    package_dir=packages,
    package_data={"imgcast.resources": ["**/*"], "imgcast.engine.inventory": ["schema.json"]},
    include_package_data=True,
)

"""Writes explore_dc.ipynb (kept as a script so that the notebook's source reviews as code)."""
import nbformat as nbf

cells = []
md = lambda s: cells.append(nbf.v4.new_markdown_cell(s))  # noqa: E731
code = lambda s: cells.append(nbf.v4.new_code_cell(s))  # noqa: E731

md("""# Who is left offline in the District of Columbia?

This notebook runs gapmap on the bundled DC data and explores its outputs the way an analyst
would: the districts with the highest need, a map, and affordability against adoption. It reads
only the published package (GeoJSON and CSV), so it works the same on any gapmap output folder.

**The BDC availability rows bundled with gapmap are a labelled simulation in the FCC format**:
location counts and tiers below are a demonstration. ACS figures, boundaries and Ookla speeds
are real.""")
code("""import os
import pathlib
import subprocess

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd

ROOT = pathlib.Path.cwd()
while not (ROOT / "Cargo.toml").exists():
    ROOT = ROOT.parent
OUT = ROOT / "target" / "notebook-demo"
# GAPMAP_BIN points at a built binary (CI uses the debug build); otherwise cargo builds one.
binary = os.environ.get("GAPMAP_BIN")
command = [binary] if binary else ["cargo", "run", "--release", "--quiet", "--"]
run = subprocess.run(command + ["demo", "--out", str(OUT)], cwd=ROOT, capture_output=True, text=True)
assert run.returncode == 0, run.stderr
print(run.stderr.splitlines()[-1])""")
md("## The tracts with the highest need\nThe need index (METHOD.md §7) averages the shares of locations not served, households without broadband, and slow speed tests. Withheld tracts (fewer than 20 households or locations, METHOD.md §8) have no figures.")
code("""tracts = gpd.read_file(OUT / "tract.geojson")
published = tracts[tracts["suppressed"].isna()]
print(f"{len(tracts)} tracts, {len(tracts) - len(published)} withheld")
top = published.nlargest(10, "need_index")[["geoid", "name", "need_index", "share_unserved", "share_underserved", "share_without_broadband", "speed_mean_down_mbps"]]
top.round({"need_index": 1, "share_unserved": 3, "share_underserved": 3, "share_without_broadband": 3, "speed_mean_down_mbps": 0})""")
md("""## A map of households without broadband
ACS estimates carry margins of error: the map shows estimates, and the count below says how many
tracts have a share smaller than its own margin. Most do, because METHOD.md §3 computes
`without_broadband = B28002_001 − B28002_004` with the difference formula, which treats two
strongly correlated estimates as independent and overstates the margin (see gapmap's notes).""")
code("""fig, ax = plt.subplots(figsize=(8, 8))
tracts.plot(ax=ax, color="#d9d9d9", edgecolor="white", linewidth=0.3)
published.plot(ax=ax, column="share_without_broadband", cmap="YlOrRd", legend=True,
               edgecolor="white", linewidth=0.3,
               legend_kwds={"label": "Share of households without broadband", "shrink": 0.6})
ax.set_title("Households without a broadband subscription, DC tracts (ACS 2017–2021)")
ax.set_axis_off()
plt.show()
noisy = published[published["share_without_broadband"] < published["share_without_broadband_moe"]]
print(f"{len(noisy)} of {len(published)} tracts have a share smaller than its margin of error")""")
md("## Affordability against adoption\nWard affordability comes from income brackets per ward (DP03) and the District's cheapest 100/20 price; block groups have their own median income.")
code("""wards = pd.read_csv(OUT / "ward.csv", dtype={"geoid": str})
wards[["name", "share_unaffordable", "share_without_broadband", "median_income"]].sort_values("share_unaffordable", ascending=False)""")
code("""groups = pd.read_csv(OUT / "block_group.csv", dtype={"geoid": str})
groups = groups[groups["suppressed"].isna() & groups["median_income"].notna() & groups["share_without_broadband"].notna()]
r = groups["median_income"].corr(groups["share_without_broadband"])
fig, ax = plt.subplots(figsize=(8, 5))
ax.scatter(groups["median_income"] / 1000, groups["share_without_broadband"] * 100, s=12, alpha=0.5, color="#f03b20")
ax.set_xlabel("Median household income ($ thousand)")
ax.set_ylabel("Households without broadband (%)")
ax.set_title(f"DC block groups: income and broadband adoption (Pearson r = {r:.2f}, n = {len(groups)})")
plt.show()
assert r < 0, "lower income, less adoption: the DC data says so clearly"
""")
md("## The numbers add up\nEach district table holds districts only; its `summary.csv` has the `suppressed` line that sums the withheld districts (and an apportioned layer's `unassigned` line). Districts plus lines give the area's totals, so block groups and tracts agree.")
code("""def with_lines(layer):
    return pd.concat([pd.read_csv(OUT / f"{layer}.csv", dtype={"geoid": str}),
                      pd.read_csv(OUT / f"{layer}.summary.csv", dtype={"geoid": str})])
bg, tr = with_lines("block_group"), with_lines("tract")
for column in ["locations", "locations_served", "households", "without_broadband"]:
    assert abs(bg[column].sum() - tr[column].sum()) < 1e-6, column
print("block groups and tracts agree:", {c: round(bg[c].sum()) for c in ["locations", "households"]})""")

nb = nbf.v4.new_notebook()
nb["cells"] = cells
nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
import pathlib

nbf.write(nb, pathlib.Path(__file__).resolve().parent / "explore_dc.ipynb")

"""Reference solutions for workshop/00_core.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "00_core.1": '''
@dataclass
class DuplicateShare(Result):
    table: pd.DataFrame
    findings: list = field(default_factory=list)
    principle: str = "data_inventory"

    def plot(self, ax=None):
        ax = new_axes(ax, figsize=(4, 2))
        rows, duplicated = int(self.table["rows"].iloc[0]), int(self.table["duplicated"].iloc[0])
        ax.barh(["unique", "duplicated"], [rows - duplicated, duplicated])
        ax.set_xlabel("rows")
        return ax

def duplicate_share(df, threshold=0.01):
    df = check_frame(df)
    duplicated = int(df.duplicated().sum())
    share = duplicated / len(df)
    table = pd.DataFrame({"rows": [len(df)], "duplicated": [duplicated], "share": [share]})
    findings = [Finding("fail", "data_inventory", f"{share:.1%} of the rows repeat an earlier row",
                        {"duplicated": duplicated, "share": share})] if share > threshold else []
    return DuplicateShare(table, findings)

assert is_result(duplicate_share(loans)) and duplicate_share(loans).ok
answer_1 = duplicate_share(dirty)
answer_1.plot()
plt.close("all")
''',
    "00_core.2": '''
def check_target(df, target):
    df = check_frame(df, [target])
    missing = int(df[target].isna().sum())
    if missing:
        raise input_error(target, "no missing values in the target", f"{missing:,} missing value(s)",
                          "Drop those rows, or wait for their labels before training.")
    return df

answer_2 = check_target
''',
    "00_core.3": '''
answer_3 = json.dumps(finding.to_dict(), allow_nan=False)
print(answer_3)
''',
    "00_core.4": '''
share = answer_1.table["share"].iloc[0]
answer_4 = (f"My result carries a {answer_1.severity} finding: {share:.1%} of the rows of dirty repeat an earlier row. "
            "The review can rank it with every other finding, stop a release on it, store its evidence as JSON and "
            "draw its plot; a printed warning is read once, by whoever watches the log, and then scrolls away.")
''',
}

WRONG = {
    # every copy of a repeated row counted (keep=False): twice the share
    "00_core.1": '''
@dataclass
class DuplicateShare(Result):
    table: pd.DataFrame
    findings: list = field(default_factory=list)
    principle: str = "data_inventory"

    def plot(self, ax=None):
        return new_axes(ax)

def duplicate_share(df, threshold=0.01):
    duplicated = int(df.duplicated(keep=False).sum())
    table = pd.DataFrame({"rows": [len(df)], "duplicated": [duplicated], "share": [duplicated / len(df)]})
    findings = [Finding("fail", "data_inventory", "duplicates")] if duplicated / len(df) > threshold else []
    return DuplicateShare(table, findings)

answer_1 = duplicate_share(dirty)
''',
    # a bare ValueError with no count, and a KeyError for a misspelled target
    "00_core.2": '''
def check_target(df, target):
    if df[target].isna().any():
        raise ValueError("the target has missing values")
    return df

answer_2 = check_target
''',
    # the dataclass dumped with default=str: NaN written as NaN, the numpy integer as text
    "00_core.3": '''
import dataclasses
answer_3 = json.dumps(dataclasses.asdict(finding), default=str)
''',
    # the count of repeated rows cited instead of their share
    "00_core.4": '''
answer_4 = (f"My result has a {answer_1.severity} finding and {int(answer_1.table['duplicated'].iloc[0])} repeated "
            "rows. The review can collect it with the other findings and store it, while a printed warning is read "
            "once and then scrolls away.")
''',
}

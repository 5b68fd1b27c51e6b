"""Reference solutions for workshop/14_scale_out.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "14_scale_out.1": '''
first_dask = dd.from_pandas(first, npartitions=6).clear_divisions()
second_dask = dd.from_pandas(second, npartitions=6).clear_divisions()
on_dask = drift_report(first_dask, second_dask)
pd.testing.assert_frame_equal(on_dask.table, drift_report(first, second).table)
answer_1 = on_dask.drifted_columns
''',
    "14_scale_out.2": '''
import re
pieces = [loans.iloc[:3_000], loans.iloc[3_000:6_000], loans.iloc[6_000:].astype({"annual_income": str})]
branches = dd.from_delayed([dask.delayed(piece) for piece in pieces], meta=loans.iloc[:0], verify_meta=False)
try:
    profile_dask(branches)
except InputError as error:
    message = str(error)
print(message)
answer_2 = int(re.search(r"partition (\\d+)", message).group(1))
''',
    "14_scale_out.3": '''
contract = Schema.infer(first, max_levels=60)
batch = second.copy()
batch.loc[[0, 2_500, 4_999], "loan_amount"] = -1_000
batch.loc[[7, 8], "state"] = None
on_pandas = contract.validate(batch)
on_dask = validate_dask(contract, dd.from_pandas(batch, npartitions=4))
pd.testing.assert_frame_equal(on_dask.table[["column", "rule", "n_rows"]], on_pandas.table[["column", "rule", "n_rows"]])
answer_3 = on_dask.table
''',
    "14_scale_out.4": '''
answer_4 = ("Besides the planted faults, ranges inferred from the first half break on a few extreme values, and "
            "issue_month breaks on thousands of rows because the second half was issued later: a time column's range "
            "always grows. I would drop the range on issue_month, widen the other ranges with a tolerance, and keep "
            "the null and type rules.")
''',
}

WRONG = {
    # the data card's known-after columns: a guess instead of a measurement
    "14_scale_out.1": '''
answer_1 = list(loans_card.known_after)
''',
    # the third file, counted from 1
    "14_scale_out.2": '''
answer_2 = 3
''',
    # one partition validated instead of the whole frame
    "14_scale_out.3": '''
contract = Schema.infer(first, max_levels=60)
batch = second.copy()
batch.loc[[0, 2_500, 4_999], "loan_amount"] = -1_000
batch.loc[[7, 8], "state"] = None
answer_3 = validate_dask(contract, dd.from_pandas(batch, npartitions=4).partitions[:1]).table
''',
    # too short to discuss
    "14_scale_out.4": '''
answer_4 = "The data is bad."
''',
}

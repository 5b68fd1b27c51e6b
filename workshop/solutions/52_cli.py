"""Reference solutions for workshop/52_cli.ipynb; instructors only: `ml-design workshop` does not copy this folder.

SOLUTIONS[id] sets the answer correctly; WRONG[id] makes a typical mistake. Each runs in the notebook's namespace at
the exercise's placeholder cell.
"""

SOLUTIONS = {
    "52_cli.1": '''
Schema.infer(january, name="flights").save(workdir / "schema.json")
status, printed, _ = run("validate", workdir / "february.csv", "--schema", workdir / "schema.json")
print(status, printed)
february_check = Schema.load(workdir / "schema.json").validate(read_data(workdir / "february.csv"))
answer_1 = february_check.table["column"].unique().tolist()
''',
    "52_cli.2": '''
schema = Schema.infer(january, name="flights", tolerance=0.25)
schema.columns["month"].maximum = None
schema.columns["time_hour"].maximum = None
schema.save(workdir / "loose.json")
answer_2 = {name: run("validate", workdir / f"{name}.csv", "--schema", workdir / "loose.json")[0]
            for name in ("february", "km")}
''',
    "52_cli.3": '''
Profile.from_frame(january).save(workdir / "january.profile.json")
statuses = {}
for month in range(2, 13):
    month_path = workdir / f"month-{month:02d}.csv"
    flights[flights.month == month].to_csv(month_path, index=False)
    statuses[month] = {share: run("drift", workdir / "january.profile.json", month_path, "--share", share)[0]
                       for share in (0.5, 0.25, 0.1)}
statuses = pd.DataFrame(statuses).T
print(statuses)
answer_3 = statuses.index[statuses[0.1] == 1].tolist()
''',
    "52_cli.4": '''
stopped = (statuses == 1).sum()
answer_4 = (f"At --share 0.1 the gate stops {stopped[0.1]} of 11 months and at --share 0.25 it stops {stopped[0.25]}: "
            "a gate that fires on most months is soon ignored. I would set the share on past batches known to be fine "
            "and compare each night with a recent reference, not with January.")
''',
}

WRONG = {
    # January checked against its own contract: nothing breaks, and nothing is learnt
    "52_cli.1": '''
Schema.infer(january, name="flights").save(workdir / "schema.json")
january.to_csv(workdir / "january.csv", index=False)
january_check = Schema.load(workdir / "schema.json").validate(read_data(workdir / "january.csv"))
answer_1 = january_check.table["column"].unique().tolist()
''',
    # the ranges widened, but the time columns still bounded by January
    "52_cli.2": '''
schema = Schema.infer(january, name="flights", tolerance=0.25)
schema.save(workdir / "loose.json")
answer_2 = {name: run("validate", workdir / f"{name}.csv", "--schema", workdir / "loose.json")[0]
            for name in ("february", "km")}
''',
    # the default --share 0.5, not 0.1
    "52_cli.3": '''
Profile.from_frame(january).save(workdir / "january.profile.json")
answer_3 = []
for month in range(2, 13):
    month_path = workdir / f"month-{month:02d}.csv"
    flights[flights.month == month].to_csv(month_path, index=False)
    if run("drift", workdir / "january.profile.json", month_path)[0] == 1:
        answer_3.append(month)
''',
    # a choice without the numbers it rests on
    "52_cli.4": '''
answer_4 = ("I would choose the lowest share, 0.1, because a nightly gate should never let a drifted batch "
            "through to the model.")
''',
}

SOLUTIONS["52_cli.5"] = '''
flights.head(500).to_csv(workdir / "export.csv", sep=";", index=False)
review_status, _, review_error = run("review", workdir / "export.csv", "--target", "late", "--out", workdir / "review")
validate_status, validate_printed, _ = run("validate", workdir / "export.csv", "--schema", workdir / "schema.json")
print(review_error, validate_printed[:300])
answer_5 = {"review": review_status, "validate": validate_status}
'''

# the review's status taken for both commands: they do not end alike on this file
WRONG["52_cli.5"] = '''
flights.head(500).to_csv(workdir / "export.csv", sep=";", index=False)
review_status = run("review", workdir / "export.csv", "--target", "late", "--out", workdir / "review")[0]
answer_5 = {"review": review_status, "validate": review_status}
'''

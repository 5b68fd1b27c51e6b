"""Reference solutions for workshop/50_test_score.ipynb; instructors only: `ml-design workshop` does not copy this folder.

SOLUTIONS[id] sets the answer correctly; WRONG[id] makes a typical mistake. Each runs in the notebook's namespace at
the exercise's placeholder cell.
"""

SOLUTIONS = {
    "50_test_score.1": '''
answers_path = folder / "answers.toml"
answers_path.write_text(answers_template())
answer_1 = len(load_answers(answers_path))
''',
    "50_test_score.2": '''
team_answers = {"infra-3": {"done": True, "automated": True}, "model-1": {"done": True},
                "data-5": {"done": True}, "monitor-7": {"done": True}}
team_score = score_tests(answers=team_answers)
print(team_score.section_scores)
answer_2 = team_score.score
''',
    "50_test_score.3": '''
with threadpool_limits(limits=1):
    guarded = GuardedModel(ladder_models(X_early, "classification", random_state=0)["stronger model"])
    guarded.fit(X_early, y_early)
    stressed = stress_test(guarded, X_late, y_late, faults=("wrong_type",), rates=(0.0, 0.1, 0.4), random_state=0)
print(score_tests({"stress": stressed}).table.set_index("id").loc["monitor-5", "status"])
by_rate = stressed.table.set_index("rate")
answer_3 = float(by_rate.loc[0.0, "score"] - by_rate.loc[0.4, "score"])
''',
    "50_test_score.4": '''
X_loans = loans.drop(columns=["interest_rate", "emp_title"])
declared_late = [c for c in loans_card.known_after if c in X_loans.columns]
with threadpool_limits(limits=1):
    report = leakage_check(X_loans, loans["interest_rate"], known_after=declared_late, random_state=0)
print(score_tests({"leakage": report}).table.set_index("id").loc["data-4", "detail"])
answer_4 = report.table.loc[report.table["verdict"] != "ok", "feature"].tolist()
''',
    "50_test_score.5": '''
grade_alone = report.table.set_index("feature").loc["grade", "score"]
answer_5 = (f"grade alone scores R² {grade_alone:.2f} on the interest rate and {len(answer_4)} features fail data-4. "
            "score_tests reads the evidence first and a recorded answer never overrides a failing check, so done = true "
            "changes nothing: drop the late columns and the grade, then run the leakage check again.")
''',
}

WRONG = {
    # every item of the rubric, not the items the template asks about
    "50_test_score.1": '''
answer_1 = len(RUBRIC)
''',
    # the mean of the section totals instead of the lowest one
    "50_test_score.2": '''
team_answers = {"infra-3": {"done": True, "automated": True}, "model-1": {"done": True},
                "data-5": {"done": True}, "monitor-7": {"done": True}}
sections = score_tests(answers=team_answers).section_scores
answer_2 = sum(sections.values()) / len(sections)
''',
    # the loss at 10% of rows, not at 40%
    "50_test_score.3": '''
with threadpool_limits(limits=1):
    guarded = GuardedModel(ladder_models(X_early, "classification", random_state=0)["stronger model"])
    guarded.fit(X_early, y_early)
    stressed = stress_test(guarded, X_late, y_late, faults=("wrong_type",), rates=(0.0, 0.1, 0.4), random_state=0)
by_rate = stressed.table.set_index("rate")
answer_3 = float(by_rate.loc[0.0, "score"] - by_rate.loc[0.1, "score"])
''',
    # only the columns the data card declares: the grade, found by its score, is missed
    "50_test_score.4": '''
X_loans = loans.drop(columns=["interest_rate", "emp_title"])
answer_4 = [c for c in loans_card.known_after if c in X_loans.columns]
''',
    # a judgement without the figures it rests on
    "50_test_score.5": '''
answer_5 = ("The grade leaks the interest rate, so we answer data-4 with done = true in the answers file and the "
            "score goes up until we have time to fix the features.")
''',
}

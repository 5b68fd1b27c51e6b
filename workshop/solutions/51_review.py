"""Reference solutions for workshop/51_review.ipynb; instructors only: `ml-design workshop` does not copy this folder.

SOLUTIONS[id] sets the answer correctly; WRONG[id] makes a typical mistake. Each runs in the notebook's namespace at
the exercise's placeholder cell, after the setup cell's `review`.
"""

SOLUTIONS = {
    "51_review.1": '''
print(review.split["statement"])
answer_1 = review.split["random_split_score"] - review.split["score"]
''',
    "51_review.2": '''
answer_2 = review.test_score.table.query("status == 'failed'")["id"].tolist()
''',
    "51_review.3": '''
leaks = review.steps["leakage"].table
answer_3 = leaks.loc[leaks["verdict"] != "ok", "feature"].tolist()
print("read by the candidate:", set(answer_3) & set(review.dataset["features"]))
''',
    "51_review.4": '''
answer_4 = (f"The review says {review.verdict}: measured forward in time the candidate scores ROC AUC "
            f"{review.split['score']:.3f}, and its ML Test Score is {review.test_score.score:g}. "
            f"Fix what the {review.deciding_steps[0]} step found first, then review again.")
''',
    "51_review.5": '''
answer_5 = ("Without the card only the leak rule is left: it catches a column by its score alone, so arr_delay and "
            "dep_delay would still fail, while air_time, arr_time and dep_time score too little alone and slip through. "
            "I would pass known_after= with every column recorded after departure, because a leak is about when a "
            "value is known, not how much it predicts.")
''',
}

WRONG = {
    # the forward score itself, not how much the random split overstates it
    "51_review.1": '''
answer_1 = review.split["score"]
''',
    # every item with no point: most of them are unanswered, not failed
    "51_review.2": '''
answer_2 = review.test_score.table.query("points == 0")["id"].tolist()
''',
    # only the columns of the three deciding findings
    "51_review.3": '''
answer_3 = [finding.evidence.get("feature") for finding in review.deciding]
''',
    # the random split's score quoted as the model's
    "51_review.4": '''
answer_4 = (f"The review says {review.verdict}: the candidate scores ROC AUC {review.split['random_split_score']:.3f}, "
            f"and its ML Test Score is {review.test_score.score:g}, so we fix the leaks and ship.")
''',
    # too short to discuss
    "51_review.5": '''
answer_5 = "The rule catches every leak anyway."
''',
}

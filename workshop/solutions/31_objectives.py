"""Reference solutions for workshop/31_objectives.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "31_objectives.1": '''
release_canvas = ProjectCanvas(
    "Release recommendations after a possession arrest",
    proxy_metric="Log loss of 'released with a summons' on folds ordered by year",
    business_metric="Share of released people who appear in court, and officer hours saved per arrest",
    ethical_constraints=["Release rate gap by colour at most 0.05, checked per year and per sex",
                         "Colour and sex are never inputs; an officer can always override the recommendation"],
    data_sources=["Toronto police arrest records 1997-2002 (labels are the officers' own decisions)",
                  "checks: prior database entries, itself a product of past policing"],
    baseline="Current practice: the officer decides alone, at the release rate in the data",
    failure_modes=["Silent: the model copies past disparities in the labels",
                   "Loud: the records system is down and officers decide alone",
                   "Subtle: checks grows for the groups policed most, a feedback loop"])
assert not release_canvas.validate().findings
answer_1 = release_canvas
''',
    "31_objectives.2": '''
alignment = metric_alignment(y, scores, rebooking_value, proxy="accuracy")
answer_2 = alignment.picks.set_index("picked_by").loc["business value", "threshold"]
''',
    "31_objectives.3": '''
parity = threshold_under_parity(hmda["deny"], deny_scores, hmda["afam"], lending_value, max_difference=0.05)
answer_3 = parity.table.set_index("option").loc["parity, threshold per group", "cost_per_row"]
''',
    "31_objectives.4": '''
# exercise 2's solution made `alignment`
two_picks = alignment.picks.set_index("picked_by")
value_lost = two_picks.loc["business value", "value_per_row"] - two_picks.loc["accuracy", "value_per_row"]
break_even = -rebooking_value["fp"] / (-rebooking_value["fp"] + rebooking_value["tp"])
answer_4 = (f"A flag pays off once a flight is late with probability above the break-even {break_even:.2f}, since a catch "
            f"earns three times what a false alarm costs; accuracy weighs both errors alike, as if the break-even were 0.5, "
            f"so it flags far fewer flights and loses ${value_lost:.2f} per flight. They coincide when a false alarm costs 150.")
''',
}

WRONG = {
    # a placeholder left in the business metric
    "31_objectives.1": '''
answer_1 = ProjectCanvas("Release recommendations", proxy_metric="Accuracy of released on shuffled folds of all years",
                         business_metric="TBD", ethical_constraints="Colour is not used as an input of the model",
                         data_sources="Toronto police arrest records from 1997 to 2002",
                         baseline="Officers decide alone, as they do today", failure_modes="The model copies past decisions")
''',
    # the threshold accuracy picks
    "31_objectives.2": '''
alignment = metric_alignment(y, scores, rebooking_value, proxy="accuracy")
answer_2 = alignment.picks.set_index("picked_by").loc["accuracy", "threshold"]
''',
    # the cost with one threshold for everyone
    "31_objectives.3": '''
parity = threshold_under_parity(hmda["deny"], deny_scores, hmda["afam"], lending_value, max_difference=0.05)
answer_3 = parity.table.set_index("option").loc["parity, one threshold", "cost_per_row"]
''',
    # the thresholds, but neither the break-even nor what following accuracy costs
    "31_objectives.4": '''
two_picks = alignment.picks.set_index("picked_by")
answer_4 = (f"Accuracy picks the threshold {two_picks.loc['accuracy', 'threshold']:.2f} and the value picks "
            f"{two_picks.loc['business value', 'threshold']:.2f}; accuracy is the better metric because it counts every flight.")
''',
}

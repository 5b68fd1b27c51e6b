"""Reference solutions for workshop/32_data_inventory.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "32_data_inventory.1": '''
hmda_inventory = inventory(hmda, target="deny")
answer_1 = hmda_inventory.overview["duplicated_rows"]
''',
    "32_data_inventory.2": '''
arrests_inventory = inventory(arrests, target="released", time_column="year")
answer_2 = arrests_inventory.overview["minority_share"]
''',
    "32_data_inventory.3": '''
lagged = december.copy()
newest_minus_5_days = lagged["time_hour"].max() - pd.Timedelta("5D")
lagged.loc[lagged["time_hour"] > newest_minus_5_days, "late"] = np.nan
lagged_inventory = inventory(lagged, target="late", time_column="time_hour", freq="D")
answer_3 = lagged_inventory.overview["label_available_share"]
''',
    "32_data_inventory.4": '''
# exercise 2's solution made `arrests_inventory`
arrests_overview = arrests_inventory.overview
answer_4 = (f"The inventory finds {arrests_overview['duplicated_rows']:,} duplicated rows "
            f"({arrests_overview['duplicated_share']:.0%}), but each arrest is described by only {arrests_overview['columns']} "
            "coarse columns (a year, an age, yes/no flags), so different people coincide. They are distinct arrests, not "
            "copies: I would keep them, and deduplicate only by a key such as an arrest number if one existed.")
''',
}

WRONG = {
    # both copies of each duplicated pair
    "32_data_inventory.1": '''
answer_1 = int(hmda.duplicated(keep=False).sum())
''',
    # the mean of released is the share of the majority class
    "32_data_inventory.2": '''
answer_2 = arrests["released"].mean()
''',
    # the share without a label
    "32_data_inventory.3": '''
lagged = december.copy()
newest_minus_5_days = lagged["time_hour"].max() - pd.Timedelta("5D")
lagged.loc[lagged["time_hour"] > newest_minus_5_days, "late"] = np.nan
answer_3 = 1 - inventory(lagged, target="late", time_column="time_hour", freq="D").overview["label_available_share"]
''',
    # the finding repeated by reflex, without the shape of the data
    "32_data_inventory.4": '''
answer_4 = (f"The inventory flags {arrests_inventory.overview['duplicated_rows']:,} duplicated rows, so I would drop "
            "them before training, as the finding says, to avoid leaking rows across folds.")
''',
}

"""Rules shared by the achievement engine and the projections, so that both judge a target the same way."""

BAND_TOLERANCE = 0.05  # a band target ("=" on a planning figure such as population) is met within ±5 % of it

"""The quarter: the site registry, the sample, inspections and decisions, the week-long monitor."""

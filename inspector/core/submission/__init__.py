"""The submission: bundle format, signing, reports, export at the city and import at the province."""

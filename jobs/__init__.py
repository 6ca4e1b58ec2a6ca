"""Background work on RQ, one queue per concern so bulk work never starves live traffic."""

"""OneWindow: one-window intake and full-process agency for investment projects."""

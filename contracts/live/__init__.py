"""The client side of the kit: what talks to a running API (Truto's or the mock), and the recorder."""

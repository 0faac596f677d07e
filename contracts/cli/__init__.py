"""`python -m contracts`'s commands, one module each, and the parser that reaches them: faces with no
logic of their own (the work is in the floor and in `contracts.live`). `contracts.__main__` takes the
stop signals, then imports this package.
"""

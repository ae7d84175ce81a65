"""The machinery behind app/tables.py, one idea per module.

instance      the request indexed: people and tables as numbers, given seats, table sizes
coverage      the theme rule: every traveller visits each theme once before any twice
bounds        lower bounds: what no plan with these sizes can beat
fields        finite fields, for the designs
designs       known plans without repeats: transversal designs, affine planes, KTS(15)
greedy        the first plan: designs where they fit, then round by round
mix           the affiliation mix's score, shared with the home tables' rule (tables.py)
state         a plan under search: its counts, its cost and the cost of a move
annealing     simulated annealing over swaps, rotations, chains and group swaps
tabu          conflict-directed tabu search over swaps (Dotú & Van Hentenryck 2005)
budget        the time budget, read from the caller's clock, and the steps taken
search        the budget: annealing, then tabu and restarts while above the bounds
"""

"""`wijksignaal demo`: a day in a municipality, played through the simulator."""

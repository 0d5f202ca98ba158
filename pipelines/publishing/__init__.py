"""Making a run's results current: releases (warehouse and site switched together), locks, clean-up
after killed runs, publishing to a web root."""

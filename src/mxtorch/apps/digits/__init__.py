"""The digit web app: draw a digit in the page, the shipped LeNet reads it."""

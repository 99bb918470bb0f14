"""What the stores give users besides the API's JSON: an area as Turtle, JSON-LD, GraphML or CSV, and
pictures of an economy."""

"""The signed-in side of the portal: who may open which page (access.py), the one-time form tokens that make a
form posted twice create one item (models.py), and the dashboard each role starts from (views.py)."""

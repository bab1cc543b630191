"""政务诚信档案: the public pages of the agencies (/agencies/), each gathering what every feature publishes about
one body."""

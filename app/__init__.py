"""worldcafe: a live World Café facilitation tool."""

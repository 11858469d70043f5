from phuongnews.cli import run

run()

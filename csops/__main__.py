from csops.cli import main

main()

from niochat.cli import main

main()

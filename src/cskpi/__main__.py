from cskpi.cli.app import main

main()

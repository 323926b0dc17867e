from emviz.cli import main

raise SystemExit(main())

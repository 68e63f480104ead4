from alice_eval.cli import main

main()

# dag

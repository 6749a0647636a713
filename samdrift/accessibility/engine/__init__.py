"""The PDF checking engine: pure Python over pikepdf, no Django.

`document` opens a file into a read-only facade (structure tree, pages, annotations, fonts),
`content` scans content streams once, `runner` isolates each file in a child process with a
time and memory limit. Rules live in `samdrift.accessibility.rules`.
"""

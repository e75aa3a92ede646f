"""The chapters' charts: one function per figure, taking the frames the chapter computed and returning the
Altair chart without its title. The chapter adds the title (it states the finding, with the chapter's
numbers) and shows it with :func:`aicompute.charts.show`, which adds the source line::

    chart = figures.infra.rent(rents, refs)
    charts.show(chart.properties(title=alt.TitleParams(title, subtitle=...)), sources=..., name="fig-infra-rent")

One module per chapter (``figures.audit``, ``figures.chips``, ``figures.infra``); the house theme, sizing and
source lines stay in :mod:`aicompute.charts`.
"""

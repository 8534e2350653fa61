"""Hand-written demo content: organisations, topics per industry, matched pairs and sentence pieces."""

from app.demo.data import (
    agrifood,
    biomed,
    cashmere,
    coal_chem,
    dairy,
    digital,
    equipment,
    grassland,
    rare_earth,
    renewables,
)

SECTOR_MODULES = (rare_earth, dairy, cashmere, coal_chem, renewables, biomed, agrifood, grassland, equipment, digital)
SECTORS = tuple(m.SECTOR for m in SECTOR_MODULES)
TOPICS = [topic for m in SECTOR_MODULES for topic in m.TOPICS]

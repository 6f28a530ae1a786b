-- The events service owns its read model in a database of its own.
CREATE DATABASE cinemaabyss_events OWNER cinemaabyss;

// The calendar view: filled in below.
"use strict";

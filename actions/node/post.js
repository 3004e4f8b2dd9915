'use strict';
// The action's post step: see launch.js.
require('./launch').run('post');

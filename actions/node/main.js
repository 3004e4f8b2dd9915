'use strict';
// The action's main step: see launch.js.
require('./launch').run('main');

/** Absolute path of the console's production build (web/console/dist). */
export declare const consoleRoot: string;

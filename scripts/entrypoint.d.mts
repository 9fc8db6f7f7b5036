// SPDX-License-Identifier: GPL-3.0-or-later
export declare const REPO_ROOT: string;
export declare function productionCommand(): string[];
export declare function productionNodeFlags(): string[];
export declare function shippedNodeVersion(): string;
export declare function shippedNodePath(): string;
export declare function shippedNode(): string;
